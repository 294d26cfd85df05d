// The DB decoder and PaddleOCR's detection pre-processing against the
// references' own code run on the same inputs (scripts/db_goldens.py:
// PaddleOCR DBPostProcess + DetResizeForTest/NormalizeImage/ToCHWImage,
// MMOCR 0.6.3 and 1.0.1 DBPostprocessor with their rescale). Polygons and
// scores must be equal as doubles; tensors equal byte for byte (SHA-256).
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <map>

#include "core/file_util.h"
#include "core/npy.h"
#include "core/sha256.h"
#include "golden/textdet/golden_util.h"
#include "textdet/db_decoder.h"
#include "textdet/image_io.h"
#include "textdet/preprocess.h"

namespace textq {
namespace {

using json = nlohmann::json;

const std::string kDbDir = "tests/data/db/";

const json& goldens() {
  static const json doc = test::load_json(kDbDir + "db_goldens.json");
  return doc;
}

DbParams params_from(const json& c) {
  const json& j = c["params"];
  const std::string flavour = c["flavour"];
  DbParams p;
  EXPECT_TRUE(parse_db_flavour(flavour, &p.flavour)) << flavour;
  if (p.flavour == DbFlavour::Paddle) {
    EXPECT_TRUE(parse_db_box_type(j["box_type"], &p.box_type));
    p.mask_thr = static_cast<float>(j["thresh"].get<double>());
    p.min_text_score = j["box_thresh"];
    p.use_dilation = j["use_dilation"];
    p.score_slow = j["score_mode"] == "slow";
  } else {
    EXPECT_TRUE(parse_db_box_type(j["text_repr_type"], &p.box_type));
    p.mask_thr = static_cast<float>(j["mask_thr"].get<double>());
    p.min_text_score = j["min_text_score"];
    p.min_text_width = j["min_text_width"];
    p.epsilon_ratio = j["epsilon_ratio"];
  }
  p.unclip_ratio = j["unclip_ratio"];
  p.max_candidates = j["max_candidates"];
  return p;
}

TEST(DbParity, DecoderMatchesReferencesExactly) {
  std::map<std::string, Tensor> maps;
  int cases = 0, instances = 0;
  std::map<std::string, int> per_flavour;
  for (const json& c : goldens()["decode"]) {
    const std::string name = c["name"];
    ASSERT_TRUE(c.contains("instances")) << name << ": the reference raised";
    const std::string path = c["map"];
    if (!maps.count(path)) maps[path] = npy_read(path);
    const Tensor& m = maps[path];
    const int h = c["map_h"], w = c["map_w"];
    ASSERT_EQ(m.shape(), (Shape{h, w})) << name;
    const DbParams p = params_from(c);
    std::vector<TextInstance> got = decode_db(m.data<float>(), h, w, p);
    PreprocessResult pre;
    pre.ori_h = c["ori_h"];
    pre.ori_w = c["ori_w"];
    pre.w_scale = static_cast<double>(w) / pre.ori_w;  // the script's w / ori_w
    pre.h_scale = static_cast<double>(h) / pre.ori_h;
    rescale_db_instances(got, h, w, pre, p);

    const json& want = c["instances"];
    ASSERT_EQ(got.size(), want.size()) << name;
    for (size_t i = 0; i < got.size(); ++i) {
      const auto poly = want[i]["polygon"].get<std::vector<double>>();
      ASSERT_EQ(got[i].polygon.size(), poly.size()) << name << " #" << i;
      for (size_t k = 0; k < poly.size(); ++k) ASSERT_EQ(got[i].polygon[k], poly[k]) << name << " #" << i << " [" << k << "]";
      ASSERT_EQ(got[i].score, want[i]["score"].get<double>()) << name << " #" << i << " score";
    }
    ++cases;
    instances += static_cast<int>(got.size());
    per_flavour[c["flavour"]] += static_cast<int>(got.size());
  }
  EXPECT_GE(cases, 100);
  std::cout << "[db parity] " << cases << " cases, " << instances << " polygons equal (every coordinate and score as double):";
  for (const auto& [f, n] : per_flavour) std::cout << " " << f << " " << n;
  std::cout << "\n";
}

TEST(DbParity, PaddlePreprocessMatchesReferenceBytes) {
  int n = 0;
  for (const json& c : goldens()["preprocess"]) {
    const std::string image = c["image"];
    PreprocessParams p = paddle_det_preprocess_defaults();
    p.limit_side_len = c["resize"]["limit_side_len"];
    const std::string lt = c["resize"]["limit_type"];
    ASSERT_TRUE(parse_paddle_limit_type(lt, &p.limit_type)) << lt;
    const PreprocessResult r = preprocess_image(load_image_bgr(image), p);
    const auto chw = c["chw"].get<std::vector<int64_t>>();
    ASSERT_EQ(r.input.shape(), (Shape{1, chw[0], chw[1], chw[2]})) << image << " " << lt;
    const auto shape = c["shape"].get<std::vector<double>>();  // src_h, src_w, ratio_h, ratio_w
    EXPECT_EQ(r.ori_h, shape[0]);
    EXPECT_EQ(r.ori_w, shape[1]);
    EXPECT_EQ(r.h_scale, shape[2]) << image;
    EXPECT_EQ(r.w_scale, shape[3]) << image;
    const float* x = r.input.data<float>();
    double max_diff = 0;
    for (const auto& s : c["samples"]) max_diff = std::max(max_diff, std::fabs(x[s[0].get<size_t>()] - s[1].get<double>()));
    EXPECT_EQ(max_diff, 0.0) << image << " " << lt;
    EXPECT_EQ(sha256_hex(x, r.input.nbytes()), c["sha256"].get<std::string>()) << image << " " << lt;
    ++n;
  }
  EXPECT_GE(n, 13);
  std::cout << "[db parity] " << n << " PaddleOCR pre-processing tensors byte-identical\n";
}

// MMOCR 0.x's DBNet test pipelines (mmdet 2.x Resize/Normalize/Pad over
// mmcv 1.7): 1333x736 with the ImageNet mean and 4068x1024 with the
// r50dcnv2 mean, byte for byte.
TEST(DbParity, Mmocr0DbnetPreprocessMatchesMmdetBytes) {
  int n = 0;
  for (const json& c : goldens()["mmocr0_preprocess"]) {
    const std::string image = c["image"];
    PreprocessParams p;
    p.version = MmocrVersion::v0;
    p.scale_long = c["scale"][0];
    p.scale_short = c["scale"][1];
    for (int k = 0; k < 3; ++k) {
      p.mean[k] = static_cast<float>(c["mean"][k].get<double>());
      p.std[k] = static_cast<float>(c["std"][k].get<double>());
    }
    const PreprocessResult r = preprocess_image(load_image_bgr(image), p);
    const auto chw = c["chw"].get<std::vector<int64_t>>();
    const std::string what = image + " " + std::to_string(p.scale_long) + "x" + std::to_string(p.scale_short);
    ASSERT_EQ(r.input.shape(), (Shape{1, chw[0], chw[1], chw[2]})) << what;
    EXPECT_EQ(r.img_h, c["img_shape"][0].get<int>()) << what;
    EXPECT_EQ(r.img_w, c["img_shape"][1].get<int>()) << what;
    EXPECT_EQ(static_cast<double>(static_cast<float>(r.w_scale)), c["scale_factor"][0].get<double>()) << what;
    EXPECT_EQ(static_cast<double>(static_cast<float>(r.h_scale)), c["scale_factor"][1].get<double>()) << what;
    const float* x = r.input.data<float>();
    size_t differ = 0;
    for (const auto& s : c["samples"]) differ += x[s[0].get<size_t>()] != s[1].get<double>();
    EXPECT_EQ(differ, 0u) << what << ": samples that differ";
    EXPECT_EQ(sha256_hex(x, r.input.nbytes()), c["sha256"].get<std::string>()) << what;
    ++n;
  }
  EXPECT_GE(n, 6);
  std::cout << "[db parity] " << n << " MMOCR 0.x DBNet pre-processing tensors byte-identical\n";
}

}  // namespace
}  // namespace textq
