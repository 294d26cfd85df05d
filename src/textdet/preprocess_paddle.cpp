// PaddleOCR's detection pre-processing (ppocr/data/imaug/operators.py):
// DetResizeForTest (resize type 0: limit_type max / min / resize_long, sides
// rounded to multiples of 32), NormalizeImage (hwc, float32 throughout),
// ToCHWImage. The image stays BGR, as cv2.imread gave it to PaddleOCR.
#include <algorithm>
#include <cmath>
#include <string>

#include <opencv2/imgproc.hpp>

#include "textdet/byte_tables.h"
#include "textdet/preprocess.h"
#include "textq/error.h"

namespace textq {
namespace {

void check_paddle_params(const PreprocessParams& p) {
  if (p.limit_side_len <= 0 || p.limit_side_len > 16384 || p.max_side_limit <= 0 || p.max_side_limit > 16384)
    throw Error(ErrorKind::InvalidArgument, "preprocess: limit_side_len " + std::to_string(p.limit_side_len) +
                                                " / max_side_limit " + std::to_string(p.max_side_limit) +
                                                " must be within 1..16384");
  if (!std::isfinite(p.scale) || p.scale == 0.0f)
    throw Error(ErrorKind::InvalidArgument, "preprocess: scale must be finite and non-zero");
  for (int c = 0; c < 3; ++c)
    if (!(p.std[c] != 0.0f) || !std::isfinite(p.std[c]) || !std::isfinite(p.mean[c]))
      throw Error(ErrorKind::InvalidArgument, "preprocess: std[" + std::to_string(c) + "] must be finite and non-zero");
}

// Python's round() of a float: half to even (the default rounding mode).
int round_half_even(double v) { return static_cast<int>(std::nearbyint(v)); }

}  // namespace

cv::Size paddle_resized_size(int w, int h, const PreprocessParams& p) {
  if (w <= 0 || h <= 0)
    throw Error(ErrorKind::InvalidArgument,
                "preprocess: image size " + std::to_string(w) + "x" + std::to_string(h) + " must be positive");
  const double limit = p.limit_side_len;
  double ratio = 1.0;
  switch (p.limit_type) {
    case PaddleLimitType::Max:
      if (std::max(h, w) > p.limit_side_len) ratio = h > w ? limit / h : limit / w;
      break;
    case PaddleLimitType::Min:
      if (std::min(h, w) < p.limit_side_len) ratio = h < w ? limit / h : limit / w;
      break;
    case PaddleLimitType::ResizeLong:
      ratio = limit / std::max(h, w);
      break;
  }
  double rh = std::trunc(h * ratio), rw = std::trunc(w * ratio);  // int(h * ratio)
  if (std::max(rh, rw) > p.max_side_limit) {
    const double r2 = static_cast<double>(p.max_side_limit) / std::max(rh, rw);
    rh = std::trunc(rh * r2);
    rw = std::trunc(rw * r2);
  }
  return {std::max(round_half_even(rw / 32) * 32, 32), std::max(round_half_even(rh / 32) * 32, 32)};
}

PreprocessResult preprocess_paddle_det(const cv::Mat& bgr, const PreprocessParams& p, TensorPool* input_pool) {
  check_paddle_params(p);
  PreprocessResult r;
  r.ori_h = bgr.rows;
  r.ori_w = bgr.cols;
  cv::Mat src = bgr;
  if (bgr.rows + bgr.cols < 64) {  // image_padding: zeros right/bottom up to 32 x 32
    src = cv::Mat::zeros(std::max(32, bgr.rows), std::max(32, bgr.cols), CV_8UC3);
    bgr.copyTo(src(cv::Rect(0, 0, bgr.cols, bgr.rows)));
  }
  const cv::Size ns = paddle_resized_size(src.cols, src.rows, p);
  r.img_w = r.pad_w = ns.width;
  r.img_h = r.pad_h = ns.height;
  r.w_scale = static_cast<double>(ns.width) / src.cols;  // DetResizeForTest's ratio_w
  r.h_scale = static_cast<double>(ns.height) / src.rows;
  cv::Mat resized;
  cv::resize(src, resized, ns, 0, 0, cv::INTER_LINEAR);

  r.input = take_or_new(input_pool, DType::f32, {1, 3, ns.height, ns.width});  // every element written below
  ByteTables tables;
  for (int c = 0; c < 3; ++c) {
    const float scale = p.scale, mean = p.mean[c], stdv = p.std[c];
    for (int v = 0; v < 256; ++v) {
      const float scaled = static_cast<float>(v) * scale;  // (img * scale - mean) / std
      const float centred = scaled - mean;
      tables[c][v] = centred / stdv;
    }
  }
  planes_from_byte_tables(resized, tables, p.to_rgb, r.input.data<float>(), ns.height, ns.width);
  return r;
}

}  // namespace textq
