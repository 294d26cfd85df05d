// Hostile inputs that a size-limited fuzzer cannot reach: images whose header
// claims 100000 x 100000 pixels, annotation files with millions of points, and
// JSON / XML nested 100000 deep. Each must be refused with one line naming the
// file and the bound, before anything proportional to the claim is allocated.
// Every message is printed: docs/fuzzing.md quotes them.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/file_util.h"
#include "datasets/ctw1500.h"
#include "datasets/image_size.h"
#include "datasets/mmocr_json.h"
#include "datasets/text_labels.h"
#include "formats/model.h"
#include "formats/model_file_format.h"
#include "formats/predictions.h"
#include "textdet/image_io.h"
#include "textq/error.h"

namespace textq {
namespace {

std::string temp_file(const std::string& name, const std::string& bytes) {
  const std::string p =
      (std::filesystem::temp_directory_path() / ("textq_hostile_" + std::to_string(::getpid()) + "_" + name)).string();
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

// The Error message of fn(), checked to be one line; "(no error)" if none.
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_LT(m.size(), 400u) << "message too long: " << m.substr(0, 400);
    std::printf("  refused: %s\n", m.c_str());
    return m;
  }
  return "(no error)";
}

void be32(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
void le32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
void le16(std::string& s, uint32_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>((v >> 8) & 0xff);
}

// A PNG signature + IHDR claiming w x h, then a few bytes of nothing.
std::string png_claiming(uint32_t w, uint32_t h) {
  std::string s("\x89PNG\r\n\x1a\n", 8);
  be32(s, 13);
  s += "IHDR";
  be32(s, w);
  be32(s, h);
  s += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB
  be32(s, 0);                                    // CRC (not checked before the size)
  return s + std::string(64, '\0');
}

// A BITMAPINFOHEADER BMP claiming w x h, 24 bits, with no pixel data.
std::string bmp_claiming(uint32_t w, uint32_t h) {
  std::string s = "BM";
  le32(s, 54);
  le32(s, 0);
  le32(s, 54);
  le32(s, 40);
  le32(s, w);
  le32(s, h);
  le16(s, 1);
  le16(s, 24);
  for (int i = 0; i < 6; ++i) le32(s, 0);
  return s;
}

TEST(HostileImages, HugeHeaderIsRefusedBeforeDecoding) {
  for (const auto& [name, bytes] : {std::pair<std::string, std::string>{"huge.png", png_claiming(100000, 100000)},
                                    {"huge.bmp", bmp_claiming(100000, 100000)}}) {
    const std::string p = temp_file(name, bytes);
    const std::string m = error_of([&] { load_image_bgr(p); });
    EXPECT_NE(m.find(p), std::string::npos) << m;
    EXPECT_NE(m.find("100000x100000"), std::string::npos) << m;
    EXPECT_NE(m.find("refused before decoding"), std::string::npos) << m;
    std::remove(p.c_str());
  }
}

TEST(HostileImages, PixelLimitIsAParameter) {
  const std::string img = std::string(TEXTQ_SOURCE_DIR) + "/tests/data/textdet/grey_70x45.png";
  EXPECT_EQ(load_image_bgr(img).cols, 70);
  const std::string m = error_of([&] { load_image_bgr(img, 3000); });  // 70 x 45 = 3150 pixels
  EXPECT_NE(m.find("70x45 pixels, more than the limit of 3000"), std::string::npos) << m;
  EXPECT_EQ(load_image_bgr(img, 3150).rows, 45);
}

// The dataset side reads sizes only; a header it must decode to size (BMP)
// is refused before OpenCV allocates the claimed pixels.
TEST(HostileImages, DatasetImageSizeOfHugeBmp) {
  const std::string p = temp_file("huge_ds.bmp", bmp_claiming(100000, 100000));
  const std::string m = error_of([&] { datasets::read_image_size(p, false); });
  EXPECT_NE(m.find(p), std::string::npos) << m;
  std::remove(p.c_str());
  // 30000 x 30000 is under OpenCV's own 2^30-pixel cap: ours must refuse it.
  const std::string q = temp_file("big_ds.bmp", bmp_claiming(30000, 30000));
  const std::string m2 = error_of([&] { datasets::read_image_size(q, false); });
  EXPECT_NE(m2.find("30000x30000"), std::string::npos) << m2;
  std::remove(q.c_str());
}

std::string numbers(size_t n) {
  std::string s;
  s.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) s += (i ? "," : "") + std::to_string(i % 10);
  return s;
}

constexpr size_t kMillions = (size_t(1) << 20) + 2;  // one point past the 2^20-coordinate bound

TEST(HostileAnnotations, MillionsOfPointsAreBounded) {
  const std::string poly = "[" + numbers(kMillions) + "]";
  const std::string j1 = temp_file("big1x.json", "{\"metainfo\": {}, \"data_list\": [{\"img_path\": \"a.jpg\", \"height\": 10, "
                                                 "\"width\": 10, \"instances\": [{\"polygon\": " + poly + ", \"ignore\": false}]}]}");
  EXPECT_NE(error_of([&] { datasets::read_annotation_json(j1); }).find("2^20"), std::string::npos);
  const std::string j0 = temp_file("big0x.json", "{\"images\": [{\"id\": 0, \"file_name\": \"a.jpg\", \"height\": 10, \"width\": 10}], "
                                                 "\"annotations\": [{\"image_id\": 0, \"iscrowd\": 0, \"segmentation\": [" + poly + "]}]}");
  EXPECT_NE(error_of([&] { datasets::read_annotation_json(j0); }).find("2^20"), std::string::npos);
  const std::string pr = temp_file("bigpred.json", "{\"format\": \"textq-predictions\", \"version\": 1, \"predictions\": [{\"img_path\": "
                                                   "\"a.jpg\", \"width\": 10, \"height\": 10, \"polygons\": [" + poly + "], \"scores\": [0.5]}]}");
  EXPECT_NE(error_of([&] { load_predictions(pr); }).find("2^20"), std::string::npos);
  const std::string tt = numbers(kMillions) + ",###\n";
  EXPECT_NE(error_of([&] { datasets::parse_totaltext_txt(tt, "poly_gt_big.txt"); }).find("2^20"), std::string::npos);
  for (const std::string& p : {j1, j0, pr}) std::remove(p.c_str());
}

TEST(HostileAnnotations, DeeplyNestedJsonAndXml) {
  const size_t depth = 100000;
  const std::string nest = std::string(depth, '[') + std::string(depth, ']');
  // Nested where a value is read, so the readers get past the top level.
  const std::string pr = temp_file("deep_pred.json", "{\"format\": " + nest + ", \"version\": 1, \"predictions\": []}");
  EXPECT_NE(error_of([&] { load_predictions(pr); }).find("nested"), std::string::npos);
  const std::string ann = temp_file("deep_ann.json", "{\"data_list\": " + nest + "}");
  EXPECT_NE(error_of([&] { datasets::read_annotation_json(ann); }).find("nested"), std::string::npos);

  // A model file whose JSON header nests 100000 deep.
  std::string model(kModelMagic, sizeof kModelMagic);
  le32(model, kModelFormatVersion);
  for (int i = 0; i < 8; ++i) model += static_cast<char>((uint64_t(nest.size()) >> (8 * i)) & 0xff);
  model += nest;
  model += std::string(model_align(model.size()) - model.size(), '\0');
  const std::string mp = temp_file("deep.textq", model);
  EXPECT_NE(error_of([&] { load_model(mp); }).find("nested deeper than 16"), std::string::npos);

  std::string xml;
  for (size_t i = 0; i < depth; ++i) xml += "<a>";
  for (size_t i = 0; i < depth; ++i) xml += "</a>";
  EXPECT_NE(error_of([&] { datasets::parse_ctw1500_xml(xml, "deep.xml"); }).find("nested deeper than 64"), std::string::npos);
  for (const std::string& p : {pr, ann, mp}) std::remove(p.c_str());
}

}  // namespace
}  // namespace textq
