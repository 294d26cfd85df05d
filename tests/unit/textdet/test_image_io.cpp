// load_image_bgr on good and bad inputs: every failure is a textq::Error with
// the right kind and a message naming the file and the rule.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "core/file_util.h"
#include "textdet/image_io.h"
#include "textq/error.h"

namespace textq {
namespace {

const std::string kJpeg = "tests/data/textdet/demo_text_det.jpg";  // 460x276

std::string temp_path(const std::string& name) {
  return std::string(TEXTQ_BINARY_DIR) + "/textdet_io_" + name;
}

std::string write_bytes(const std::string& name, const std::vector<uint8_t>& b) {
  const std::string p = temp_path(name);
  FILE* f = std::fopen(p.c_str(), "wb");
  if (!b.empty()) std::fwrite(b.data(), 1, b.size(), f);
  std::fclose(f);
  return p;
}

void expect_error(const std::string& path, ErrorKind kind, const std::string& needle,
                  uint64_t max_pixels = kDefaultMaxImagePixels) {
  try {
    load_image_bgr(path, max_pixels);
    ADD_FAILURE() << path << ": expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "one-line message: " << msg;
  }
}

// A minimal PNG header (signature + IHDR) claiming w x h; no image data.
std::vector<uint8_t> png_header(uint32_t w, uint32_t h) {
  std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  for (uint32_t v : {w, h})
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
  for (uint8_t v : {8, 2, 0, 0, 0, 0, 0, 0, 0}) b.push_back(v);  // depth, colour, ..., crc
  return b;
}

TEST(ImageIo, LoadsJpegAsBgr) {
  const cv::Mat img = load_image_bgr(kJpeg);
  EXPECT_EQ(img.cols, 460);
  EXPECT_EQ(img.rows, 276);
  EXPECT_EQ(img.type(), CV_8UC3);
  // identical to OpenCV's own reader with MMOCR's flags
  const cv::Mat ref = cv::imread(kJpeg, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  EXPECT_EQ(cv::norm(img, ref, cv::NORM_INF), 0.0);
}

TEST(ImageIo, GreyPngBecomesThreeChannels) {
  const cv::Mat img = load_image_bgr("tests/data/textdet/grey_70x45.png");
  EXPECT_EQ(img.type(), CV_8UC3);
  EXPECT_EQ(img.cols, 70);
  EXPECT_EQ(img.rows, 45);
}

TEST(ImageIo, MissingFileIsIoError) {
  expect_error(temp_path("does_not_exist.jpg"), ErrorKind::Io, "cannot open");
}

TEST(ImageIo, EmptyAndNonImageFilesAreInvalid) {
  expect_error(write_bytes("empty.jpg", {}), ErrorKind::InvalidFile, "empty file");
  const std::string text = "this is not an image\n";
  expect_error(write_bytes("text.jpg", std::vector<uint8_t>(text.begin(), text.end())),
               ErrorKind::InvalidFile, "not a supported image");
}

TEST(ImageIo, TruncatedJpegIsRefused) {
  const auto bytes = read_file_bytes(kJpeg);
  for (size_t keep : {size_t(3), size_t(40), bytes.size() / 2, bytes.size() - 2}) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + keep);
    expect_error(write_bytes("cut.jpg", cut), ErrorKind::InvalidFile, "JPEG");
  }
}

TEST(ImageIo, CorruptPngDataIsRefused) {
  // a valid 8x8 PNG with its compressed data overwritten
  std::vector<uchar> png;
  cv::imencode(".png", cv::Mat(8, 8, CV_8UC3, cv::Scalar(10, 20, 30)), png);
  std::vector<uint8_t> bad(png.begin(), png.end());
  for (size_t i = 41; i + 12 < bad.size(); ++i) bad[i] ^= 0x5A;
  expect_error(write_bytes("corrupt.png", bad), ErrorKind::InvalidFile, "cannot decode");
  std::vector<uint8_t> cut(png.begin(), png.begin() + 20);
  expect_error(write_bytes("cut.png", cut), ErrorKind::InvalidFile, "truncated PNG header");
}

TEST(ImageIo, AbsurdHeaderSizeIsRefusedBeforeDecoding) {
  expect_error(write_bytes("huge.png", png_header(100000, 100000)), ErrorKind::InvalidFile,
               "100000x100000 pixels, more than the limit of 100000000");
  expect_error(write_bytes("zero.png", png_header(0, 10)), ErrorKind::InvalidFile, "non-zero");
  // the limit is overridable: the real 460x276 JPEG is refused at 100k pixels
  expect_error(kJpeg, ErrorKind::InvalidFile, "limit of 100000", 100000);
  EXPECT_NO_THROW(load_image_bgr(kJpeg, 460 * 276));
}

TEST(ImageIo, PixelLimitMessageAndArithmetic) {
  // The refusal says how to raise the limit.
  expect_error(kJpeg, ErrorKind::InvalidFile,
               "460x276 pixels, more than the limit of 1000 pixels (--max-image-pixels); refused before decoding", 1000);
  // Exactly at the limit passes, one pixel over does not.
  EXPECT_NO_THROW(check_image_pixels("a.png", "png", 460, 276, 460 * 276));
  EXPECT_THROW(check_image_pixels("a.png", "png", 460, 276, 460 * 276 - 1), Error);
  // A product past 2^64 must not wrap to a small number and pass.
  const uint64_t big = uint64_t(1) << 33;
  EXPECT_THROW(check_image_pixels("a.png", "png", big, big, UINT64_MAX / 2), Error);
  EXPECT_NO_THROW(check_image_pixels("a.png", "png", big, 4, UINT64_MAX / 2));
}

TEST(ImageIo, OtherFormatsReportTheirHeaderSize) {
  const cv::Mat src(5, 7, CV_8UC3, cv::Scalar(1, 2, 3));
  for (const char* ext : {".bmp", ".tiff", ".webp", ".ppm"}) {
    std::vector<uchar> enc;
    ASSERT_TRUE(cv::imencode(ext, src, enc)) << ext;
    const std::string p = write_bytes(std::string("small") + ext, {enc.begin(), enc.end()});
    const cv::Mat img = load_image_bgr(p);
    EXPECT_EQ(img.cols, 7) << ext;
    EXPECT_EQ(img.rows, 5) << ext;
    expect_error(p, ErrorKind::InvalidFile, "7x5 pixels", 34);
  }
}

}  // namespace
}  // namespace textq
