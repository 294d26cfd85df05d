// Resize arithmetic (spec §4.2 examples), the normalisation tables and argument checks of preprocess_image.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "textdet/preprocess.h"
#include "textq/error.h"

namespace textq {
namespace {

TEST(Preprocess, SpecSizeExamples) {
  // textsnake.md §4.2 (w x h): original -> resized (padded)
  struct Ex { int w, h, nw, nh, pw, ph; };
  for (const Ex& e : {Ex{480, 300, 1178, 736, 1184, 736}, Ex{500, 375, 981, 736, 992, 736},
                      Ex{1280, 720, 1308, 736, 1312, 736}, Ex{400, 1200, 444, 1333, 448, 1344},
                      Ex{2000, 500, 1333, 333, 1344, 352}, Ex{736, 736, 736, 736, 736, 736}}) {
    const cv::Mat img(e.h, e.w, CV_8UC3, cv::Scalar(7, 8, 9));
    const PreprocessResult r = preprocess_image(img, PreprocessParams{});
    EXPECT_EQ(r.img_w, e.nw) << e.w << "x" << e.h;
    EXPECT_EQ(r.img_h, e.nh) << e.w << "x" << e.h;
    EXPECT_EQ(r.pad_w, e.pw) << e.w << "x" << e.h;
    EXPECT_EQ(r.pad_h, e.ph) << e.w << "x" << e.h;
    EXPECT_EQ(r.w_scale, static_cast<double>(e.nw) / e.w);
    EXPECT_EQ(r.h_scale, static_cast<double>(e.nh) / e.h);
  }
}

TEST(Preprocess, PaddingIsZeroAfterNormalisation) {
  const cv::Mat img(300, 480, CV_8UC3, cv::Scalar(0, 0, 0));
  const PreprocessResult r = preprocess_image(img, PreprocessParams{});
  const float* x = r.input.data<float>();
  // inside: (0 - mean) / std of the R channel; padding columns 1178..1183: 0
  EXPECT_NEAR(x[0], -123.675 / 58.395, 1e-6);
  EXPECT_EQ(x[1180], 0.0f);
  EXPECT_EQ(x[static_cast<size_t>(735) * 1184 + 1183], 0.0f);
}

// 0.x: float32(double(t) * (1 / double(std_f))) (mmdet's float32 std through
// mmcv); 1.x: t / std_f in float32. For MMOCR's mean/std the two agree on every
// 8-bit input (checked over all 256 values per channel with NumPy); the test
// keeps the one-ulp bound for other parameters.
TEST(Preprocess, ZeroPointEightVersionsDifferByAtMostOneUlp) {
  cv::Mat img(300, 480, CV_8UC3);
  cv::randu(img, 0, 256);
  PreprocessParams p0, p1;
  p1.version = MmocrVersion::v1;
  const PreprocessResult a = preprocess_image(img, p0), b = preprocess_image(img, p1);
  const float* x = a.input.data<float>();
  const float* y = b.input.data<float>();
  int64_t differ = 0;
  for (int64_t i = 0; i < a.input.numel(); ++i) {
    ASSERT_LE(std::fabs(x[i] - y[i]), 2.5e-7);
    differ += x[i] != y[i];
  }
  EXPECT_EQ(differ, 0) << "with MMOCR's mean/std, 0.x and 1.x normalisation agree bit for bit";
}

// Every output element is the per-pixel expression of its channel's byte
// (0.x, 1.x and PaddleOCR's), in the right plane for both channel orders, with
// zeros right of and below the image; odd sizes leave no element unwritten.
TEST(Preprocess, TablesGiveThePerPixelExpressionInEveryPlane) {
  cv::Mat img(37, 53, CV_8UC3);
  cv::randu(img, 0, 256);
  for (const bool to_rgb : {true, false}) {
    for (const int kind : {0, 1, 2}) {
      PreprocessParams p = kind == 2 ? paddle_det_preprocess_defaults() : PreprocessParams{};
      p.version = kind == 1 ? MmocrVersion::v1 : MmocrVersion::v0;
      p.to_rgb = to_rgb;
      p.mean[1] = kind == 2 ? 0.456f : 116.3f;  // not MMOCR's, so 0.x and 1.x differ somewhere
      p.std[2] = kind == 2 ? 0.225f : 57.1f;
      p.scale_long = p.scale_short = 53;  // no resize: the expression sees img's own bytes
      p.limit_side_len = 64;
      const PreprocessResult r = preprocess_image(img, p);
      cv::Mat resized = img;  // PaddleOCR's resize goes to multiples of 32: compare with its bytes
      if (r.img_w != img.cols || r.img_h != img.rows)
        cv::resize(img, resized, cv::Size(r.img_w, r.img_h), 0, 0, cv::INTER_LINEAR);
      const float* x = r.input.data<float>();
      const size_t plane = static_cast<size_t>(r.pad_h) * r.pad_w;
      for (int c = 0; c < 3; ++c)
        for (int y = 0; y < r.pad_h; ++y)
          for (int xx = 0; xx < r.pad_w; ++xx) {
            float want = 0.0f;
            if (y < r.img_h && xx < r.img_w) {
              const float v = resized.at<cv::Vec3b>(y, xx)[to_rgb ? 2 - c : c];
              if (kind == 0)
                want = static_cast<float>(static_cast<double>(v - p.mean[c]) * (1.0 / static_cast<double>(p.std[c])));
              else if (kind == 1)
                want = (v - p.mean[c]) / p.std[c];
              else
                want = (v * p.scale - p.mean[c]) / p.std[c];
            }
            ASSERT_EQ(x[c * plane + static_cast<size_t>(y) * r.pad_w + xx], want)
                << "kind " << kind << " to_rgb " << to_rgb << " c " << c << " y " << y << " x " << xx;
          }
    }
  }
}

TEST(Preprocess, BadInputsThrow) {
  EXPECT_THROW(preprocess_image(cv::Mat(), PreprocessParams{}), Error);
  EXPECT_THROW(preprocess_image(cv::Mat(10, 10, CV_8UC1), PreprocessParams{}), Error);
  // 10000 x 1: the short side would round to 0 pixels
  try {
    preprocess_image(cv::Mat(1, 10000, CV_8UC3), PreprocessParams{});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
  }
  PreprocessParams bad;
  bad.pad_divisor = 0;
  EXPECT_THROW(preprocess_image(cv::Mat(10, 10, CV_8UC3), bad), Error);
}

}  // namespace
}  // namespace textq

namespace textq {
namespace {

// Sizes PaddleOCR's own DetResizeForTest gives (operators.py @ 03ed63ea, run by
// scripts/db_goldens.py's loader): Python's round() is half to even (528 / 32 =
// 16.5 -> 16), and max_side_limit 4000 cuts 36800 x 736 to 4000 x 80 -> 64.
TEST(PaddlePreprocess, ResizedSizesMatchDetResizeForTest) {
  struct Case { int w, h, side; PaddleLimitType type; int want_w, want_h; };
  const Case cases[] = {
      {400, 528, 960, PaddleLimitType::Max, 384, 512},   {432, 560, 960, PaddleLimitType::Max, 448, 576},
      {5000, 100, 736, PaddleLimitType::Min, 4000, 64},  {3000, 20, 960, PaddleLimitType::Max, 960, 32},
      {1280, 720, 1000, PaddleLimitType::ResizeLong, 992, 576}, {33, 40, 736, PaddleLimitType::Min, 736, 896},
  };
  for (const Case& c : cases) {
    PreprocessParams p = paddle_det_preprocess_defaults();
    p.limit_side_len = c.side;
    p.limit_type = c.type;
    const cv::Size s = paddle_resized_size(c.w, c.h, p);
    EXPECT_EQ(s.width, c.want_w) << c.w << "x" << c.h;
    EXPECT_EQ(s.height, c.want_h) << c.w << "x" << c.h;
  }
  PreprocessParams bad = paddle_det_preprocess_defaults();
  bad.limit_side_len = 0;
  EXPECT_THROW(preprocess_image(cv::Mat(10, 10, CV_8UC3), bad), Error);
  bad = paddle_det_preprocess_defaults();
  bad.std[1] = 0;
  EXPECT_THROW(preprocess_image(cv::Mat(10, 10, CV_8UC3), bad), Error);
}

}  // namespace
}  // namespace textq
