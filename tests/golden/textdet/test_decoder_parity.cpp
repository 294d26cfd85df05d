// decode_textsnake + rescale_instances against MMOCR 0.x / 1.x's own
// TextSnakePostprocessor run by the reference harness (postprocess_ref.py).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "core/npy.h"
#include "golden/textdet/golden_util.h"
#include "textdet/preprocess.h"
#include "textdet/textsnake_decoder.h"

namespace textq {
namespace {

using test::kDataDir;
using test::kGoldenDir;
using test::load_json;

constexpr double kCoordTol = 1e-3;   // px, original-image frame
constexpr double kScoreRelTol = 1e-6;  // sigmoid ulps (torch vs ours) move scores by ~1e-7

struct Case {
  std::string map, meta, golden, golden_norescale;
  float center_thr;
  size_t min_instances;
};

PreprocessResult frame_from_meta(const nlohmann::json& meta) {
  PreprocessResult pre;
  pre.ori_h = meta["ori_shape"][0];
  pre.ori_w = meta["ori_shape"][1];
  pre.img_h = meta["img_shape"][0];
  pre.img_w = meta["img_shape"][1];
  pre.w_scale = static_cast<double>(pre.img_w) / pre.ori_w;  // as postprocess_ref.py
  pre.h_scale = static_cast<double>(pre.img_h) / pre.ori_h;
  return pre;
}

void compare(const std::vector<TextInstance>& got, const nlohmann::json& ref, bool float_scores,
             const std::string& what) {
  const auto& polys = ref["polygons"];
  const auto& scores = ref["scores"];
  ASSERT_EQ(got.size(), polys.size()) << what << ": instance count";
  double max_coord = 0, max_score = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const auto want = polys[i].get<std::vector<double>>();
    ASSERT_EQ(got[i].polygon.size(), want.size()) << what << ": instance " << i << " point count";
    for (size_t k = 0; k < want.size(); ++k)
      max_coord = std::max(max_coord, std::fabs(got[i].polygon[k] - want[k]));
    const double ws = scores[i].get<double>();
    const double rel = std::fabs(got[i].score - ws) / std::max(1e-12, std::fabs(ws));
    max_score = std::max(max_score, rel);
    if (float_scores) {
      EXPECT_EQ(got[i].score, static_cast<double>(static_cast<float>(got[i].score)));
    }
  }
  EXPECT_LE(max_coord, kCoordTol) << what;
  EXPECT_LE(max_score, kScoreRelTol) << what;
  std::cout << "[parity] " << what << ": " << got.size() << " instances, max |coord diff| "
            << max_coord << " px, max rel score diff " << max_score << "\n";
}

void run_case(const Case& c) {
  const Tensor maps = npy_read(kDataDir + c.map);
  ASSERT_EQ(maps.rank(), 4u);
  ASSERT_EQ(maps.dim(1), 5);
  const int h = static_cast<int>(maps.dim(2)), w = static_cast<int>(maps.dim(3));
  const auto meta = load_json(kDataDir + c.meta);
  const auto golden = load_json(kGoldenDir + c.golden);

  DecoderParams p;
  p.min_center_region_confidence = c.center_thr;
  // the golden must have been made with the same threshold
  ASSERT_NEAR(golden["params"]["min_center_region_confidence"].get<double>(), c.center_thr, 1e-6);
  DecodeStats stats;
  const auto raw = decode_textsnake(maps.data<float>(), h, w, p, &stats);
  EXPECT_EQ(stats.centralize_guard_hits, 0);
  EXPECT_GE(raw.size(), c.min_instances);

  if (!c.golden_norescale.empty()) {
    const auto nr = load_json(kGoldenDir + c.golden_norescale);
    compare(raw, nr["mmocr0"], false, c.golden_norescale + " (padded frame)");
  }
  const PreprocessResult pre = frame_from_meta(meta);
  auto v0 = raw;
  rescale_instances(v0, pre, MmocrVersion::v0);
  compare(v0, golden["mmocr0"], false, c.golden + " mmocr0");
  auto v1 = raw;
  rescale_instances(v1, pre, MmocrVersion::v1);
  compare(v1, golden["mmocr1"], true, c.golden + " mmocr1");
}

TEST(DecoderParity, SyntheticMapMatchesMmocr) {
  run_case({"pp_synth.pred.npy", "pp_synth.meta.json", "pp_synth.json", "pp_synth_norescale.json",
            0.2f, 3});
}

TEST(DecoderParity, RandomModelMapMatchesMmocrAtThreshold016) {
  run_case({"rand128x256.pred.npy", "rand128x256.meta.json", "rand128x256_c0.16.json", "", 0.16f,
            30});
}

TEST(DecoderParity, RandomModelMapMatchesMmocrAtDefaultThreshold) {
  run_case({"rand128x256.pred.npy", "rand128x256.meta.json", "rand128x256_c0.2.json", "", 0.2f, 0});
}

// Saturated logits: every disk score is exactly 1.0f, so which disk leads each
// merge group is NumPy's argsort tie order (a stable sort gives other polygons).
TEST(DecoderParity, SaturatedTieMapMatchesMmocr) {
  run_case({"tie64x128.pred.npy", "tie64x128.meta.json", "tie64x128.json", "", 0.2f, 2});
}

}  // namespace
}  // namespace textq
