// decode_jpeg_bgr gives OpenCV's pixels (cv::imdecode with MMOCR's flags) for
// every kind of JPEG it takes, leaves the others to OpenCV, and refuses
// corrupt data exactly where OpenCV does. The JPEGs are made here with
// libjpeg's encoder, so sampling, colour space, progression and restart
// markers are chosen, not whatever an encoder defaults to.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <jpeglib.h>
#include <opencv2/imgcodecs.hpp>

#include "core/file_util.h"
#include "textdet/image_io.h"
#include "textdet/jpeg_decode.h"
#include "textq/error.h"

namespace textq {
namespace {

struct Encoding {
  int components = 3;                  // 1 grey, 3 YCbCr (or RGB with rgb = true), 4 CMYK
  bool rgb = false;                    // store the three components as RGB (no colour transform)
  int h_samp = 2, v_samp = 2;          // luma sampling factors: 2x2 = 4:2:0, 2x1 = 4:2:2, 1x1 = 4:4:4
  bool progressive = false;
  unsigned restart_rows = 0;           // restart marker every N MCU rows
  int quality = 90;
};

// img: CV_8UC3 BGR (components 3 / 4) or CV_8UC1 (components 1).
std::vector<uint8_t> encode(const cv::Mat& img, const Encoding& e) {
  jpeg_compress_struct ci;
  jpeg_error_mgr err;
  ci.err = jpeg_std_error(&err);
  jpeg_create_compress(&ci);
  unsigned char* buf = nullptr;
  unsigned long len = 0;
  jpeg_mem_dest(&ci, &buf, &len);
  ci.image_width = static_cast<JDIMENSION>(img.cols);
  ci.image_height = static_cast<JDIMENSION>(img.rows);
  ci.input_components = e.components;
  ci.in_color_space = e.components == 1 ? JCS_GRAYSCALE : e.components == 4 ? JCS_CMYK : JCS_EXT_BGR;
  jpeg_set_defaults(&ci);
  if (e.rgb) jpeg_set_colorspace(&ci, JCS_RGB);
  jpeg_set_quality(&ci, e.quality, TRUE);
  if (e.components >= 3 && !e.rgb) {
    ci.comp_info[0].h_samp_factor = e.h_samp;
    ci.comp_info[0].v_samp_factor = e.v_samp;
  }
  if (e.progressive) jpeg_simple_progression(&ci);
  ci.restart_in_rows = static_cast<int>(e.restart_rows);
  jpeg_start_compress(&ci, TRUE);
  std::vector<uint8_t> cmyk;
  while (ci.next_scanline < ci.image_height) {
    const uint8_t* row = img.ptr(static_cast<int>(ci.next_scanline));
    if (e.components == 4) {  // any four bytes per pixel will do
      cmyk.resize(static_cast<size_t>(img.cols) * 4);
      for (int x = 0; x < img.cols; ++x)
        for (int c = 0; c < 4; ++c) cmyk[static_cast<size_t>(x) * 4 + c] = row[x * 3 + c % 3] ^ static_cast<uint8_t>(c * 40);
      row = cmyk.data();
    }
    JSAMPROW r = const_cast<JSAMPROW>(row);
    jpeg_write_scanlines(&ci, &r, 1);
  }
  jpeg_finish_compress(&ci);
  jpeg_destroy_compress(&ci);
  std::vector<uint8_t> out(buf, buf + len);
  std::free(buf);
  return out;
}

// Gradients, edges and noise: every DCT frequency and both chroma planes busy.
cv::Mat test_image(int h, int w, int type, unsigned seed) {
  std::mt19937 rng(seed);
  cv::Mat img(h, w, type);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w * img.channels(); ++x)
      img.ptr(y)[x] = static_cast<uint8_t>((x * 7 + y * 3 + ((x / 9 + y / 5) % 2) * 90 + rng() % 40) & 0xFF);
  return img;
}

cv::Mat opencv_decode(const std::vector<uint8_t>& b) {
  return cv::imdecode(cv::Mat(1, static_cast<int>(b.size()), CV_8U, const_cast<uint8_t*>(b.data())),
                      cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
}

void expect_same_as_opencv(const std::vector<uint8_t>& b, const std::string& what) {
  cv::Mat ours;
  ASSERT_TRUE(decode_jpeg_bgr(b.data(), b.size(), what, &ours)) << what << ": left to OpenCV";
  const cv::Mat ref = opencv_decode(b);
  ASSERT_FALSE(ref.empty()) << what;
  ASSERT_EQ(ours.type(), CV_8UC3) << what;
  ASSERT_EQ(ours.size(), ref.size()) << what;
  EXPECT_EQ(cv::norm(ours, ref, cv::NORM_INF), 0.0) << what;
}

TEST(JpegDecode, EveryLayoutGivesOpenCvsPixels) {
  const struct {
    const char* name;
    Encoding e;
  } cases[] = {
      {"4:2:0", {}},
      {"4:2:2", {3, false, 2, 1}},
      {"4:4:4", {3, false, 1, 1}},
      {"4:4:0", {3, false, 1, 2}},
      {"rgb", {3, true, 1, 1}},
      {"grey", {1}},
      {"progressive 4:2:0", {3, false, 2, 2, true}},
      {"progressive grey", {1, false, 1, 1, true}},
      {"restart markers", {3, false, 2, 2, false, 1}},
      {"quality 100", {3, false, 2, 2, false, 0, 100}},
      {"quality 5", {3, false, 2, 2, false, 0, 5}},
  };
  // Sizes off the 8 / 16 pixel grid, one-pixel images and a tall strip.
  const std::pair<int, int> sizes[] = {{1, 1}, {13, 17}, {9, 33}, {64, 48}, {71, 129}, {300, 7}};
  unsigned seed = 1;
  for (const auto& c : cases)
    for (const auto& [h, w] : sizes) {
      const cv::Mat img = test_image(h, w, c.e.components == 1 ? CV_8UC1 : CV_8UC3, seed++);
      expect_same_as_opencv(encode(img, c.e), std::string(c.name) + " " + std::to_string(h) + "x" + std::to_string(w));
    }
}

TEST(JpegDecode, EveryJpegOfTheTestDataGivesOpenCvsPixels) {
  int count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator("tests/data")) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".jpg" && ext != ".jpeg" && ext != ".JPG") continue;
    const std::string path = entry.path().string();
    const std::vector<uint8_t> b = read_file_bytes(path);
    cv::Mat ours;
    if (!decode_jpeg_bgr(b.data(), b.size(), path, &ours)) continue;  // a kind left to OpenCV
    expect_same_as_opencv(b, path);
    ++count;
  }
  EXPECT_GE(count, 20);  // the photos, the demo images, the CTW1500 samples
}

TEST(JpegDecode, FourComponentFilesAreLeftToOpenCv) {
  const std::vector<uint8_t> b = encode(test_image(24, 40, CV_8UC3, 7), {4, false, 1, 1});
  cv::Mat ours;
  EXPECT_FALSE(decode_jpeg_bgr(b.data(), b.size(), "cmyk.jpg", &ours));
  EXPECT_TRUE(ours.empty());
  // load_image_bgr still decodes it, through OpenCV.
  const std::string path = std::string(TEXTQ_BINARY_DIR) + "/jpeg_decode_cmyk.jpg";
  FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(b.data(), 1, b.size(), f);
  std::fclose(f);
  const cv::Mat img = load_image_bgr(path);
  EXPECT_EQ(cv::norm(img, opencv_decode(b), cv::NORM_INF), 0.0);
}

// Damage inside the entropy-coded data (the structure the header check
// reads stays intact): where we throw (naming the file and libjpeg's
// reason) OpenCV gives no image either; where we decode (libjpeg recovers
// with a warning) OpenCV gives the same pixels.
TEST(JpegDecode, DamagedScanDataFailsOrRecoversAsOpenCvDoes) {
  const std::vector<uint8_t> good = encode(test_image(96, 128, CV_8UC3, 3), {3, false, 2, 2, true});
  std::mt19937 rng(11);
  int refused = 0, recovered = 0;
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<uint8_t> b = good;
    // Damage a few bytes past the headers (the first scan starts within ~700 bytes here).
    for (int k = 0; k < 1 + trial % 4; ++k) b[700 + rng() % (b.size() - 702)] = static_cast<uint8_t>(rng());
    const cv::Mat ref = opencv_decode(b);
    cv::Mat ours;
    try {
      if (!decode_jpeg_bgr(b.data(), b.size(), "damaged.jpg", &ours)) continue;
    } catch (const Error& e) {
      EXPECT_TRUE(ref.empty()) << "trial " << trial << ": OpenCV decodes what we refuse: " << e.what();
      EXPECT_EQ(e.kind(), ErrorKind::InvalidFile);
      EXPECT_NE(std::string(e.what()).find("damaged.jpg: cannot decode JPEG image: "), std::string::npos) << e.what();
      ++refused;
      continue;
    }
    ASSERT_FALSE(ref.empty()) << "trial " << trial << ": we decode what OpenCV refuses";
    EXPECT_EQ(cv::norm(ours, ref, cv::NORM_INF), 0.0) << "trial " << trial;
    ++recovered;
  }
  // Both outcomes occur, so both branches above were checked.
  EXPECT_GT(refused, 0);
  EXPECT_GT(recovered, 0);
}

// A bad segment between the last scan and EOI fails only in libjpeg's
// finish step, after every row was written: OpenCV keeps that image.
TEST(JpegDecode, ErrorAfterTheLastRowKeepsTheImageAsOpenCvDoes) {
  std::vector<uint8_t> b = encode(test_image(40, 56, CV_8UC3, 5), {});
  ASSERT_EQ(b[b.size() - 2], 0xFF);
  ASSERT_EQ(b[b.size() - 1], 0xD9);
  // DHT segment of 19 bytes whose 16 code counts sum far past its length.
  std::vector<uint8_t> dht = {0xFF, 0xC4, 0x00, 0x13, 0x00};
  dht.insert(dht.end(), 16, 0xFF);
  b.insert(b.end() - 2, dht.begin(), dht.end());
  ASSERT_FALSE(opencv_decode(b).empty());
  expect_same_as_opencv(b, "bad table after the scan");
}

// A segment between two scans of a progressive file claims more bytes than
// are left (an EOI marker still ends the file, so the header check passes).
// libjpeg's memory source would pad the missing data with a fake EOI and
// decode on; OpenCV's source suspends and its decode fails. Refused here.
TEST(JpegDecode, DataEndingBeforeTheImageIsRefused) {
  std::vector<uint8_t> b = encode(test_image(32, 48, CV_8UC3, 13), {3, false, 2, 2, true});
  size_t second_sos = 0;
  for (size_t i = 2, seen = 0; i + 1 < b.size() && !second_sos; ++i)
    if (b[i] == 0xFF && b[i + 1] == 0xDA && ++seen == 2) second_sos = i;
  ASSERT_GT(second_sos, 0u);
  const std::vector<uint8_t> app11 = {0xFF, 0xEB, 0xFF, 0xFF, 'x', 'y'};  // 65533 bytes claimed
  b.insert(b.begin() + static_cast<std::ptrdiff_t>(second_sos), app11.begin(), app11.end());
  ASSERT_TRUE(opencv_decode(b).empty());
  cv::Mat ours;
  try {
    decode_jpeg_bgr(b.data(), b.size(), "short.jpg", &ours);
    ADD_FAILURE() << "decoded from padding";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidFile);
    EXPECT_NE(std::string(e.what()).find("short.jpg: cannot decode JPEG image: Premature end of input file"),
              std::string::npos)
        << e.what();
  }
}

// Motion-JPEG frames carry no Huffman tables (DHT); OpenCV supplies the
// standard ones, which our encoder used, so the frame decodes as before.
TEST(JpegDecode, FramesWithoutHuffmanTablesDecodeThroughOpenCv) {
  const cv::Mat img = test_image(32, 48, CV_8UC3, 9);
  const std::vector<uint8_t> full = encode(img, {});
  std::vector<uint8_t> b(full.begin(), full.begin() + 2);  // SOI
  size_t pos = 2;
  while (pos + 4 <= full.size() && full[pos + 1] != 0xDA) {  // marker segments up to the scan
    const size_t len = static_cast<size_t>(full[pos + 2]) << 8 | full[pos + 3];
    if (full[pos + 1] != 0xC4) b.insert(b.end(), full.begin() + pos, full.begin() + pos + 2 + len);
    pos += 2 + len;
  }
  b.insert(b.end(), full.begin() + pos, full.end());
  ASSERT_LT(b.size(), full.size());
  cv::Mat ours;
  EXPECT_FALSE(decode_jpeg_bgr(b.data(), b.size(), "mjpeg.jpg", &ours));
  const std::string path = std::string(TEXTQ_BINARY_DIR) + "/jpeg_decode_mjpeg.jpg";
  FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(b.data(), 1, b.size(), f);
  std::fclose(f);
  EXPECT_EQ(cv::norm(load_image_bgr(path), opencv_decode(full), cv::NORM_INF), 0.0);
}

}  // namespace
}  // namespace textq
