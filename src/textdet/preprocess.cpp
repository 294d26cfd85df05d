#include "textdet/preprocess.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <opencv2/imgproc.hpp>

#include "textdet/byte_tables.h"
#include "textq/error.h"


namespace textq {
namespace {

void check_params(const PreprocessParams& p) {
  if (p.scale_long <= 0 || p.scale_short <= 0 || p.pad_divisor <= 0 || p.scale_long > 16384 ||
      p.scale_short > 16384 || p.pad_divisor > 4096) {
    throw Error(ErrorKind::InvalidArgument,
                "preprocess: scale " + std::to_string(p.scale_long) + "x" +
                    std::to_string(p.scale_short) + " / pad divisor " +
                    std::to_string(p.pad_divisor) + " must be positive (<= 16384 / 4096)");
  }
  for (int c = 0; c < 3; ++c) {
    if (!(p.std[c] != 0.0f) || !std::isfinite(p.std[c]) || !std::isfinite(p.mean[c]))
      throw Error(ErrorKind::InvalidArgument, "preprocess: std[" + std::to_string(c) +
                                                  "] must be finite and non-zero");
  }
}

int round_up(int v, int d) { return (v + d - 1) / d * d; }

}  // namespace

cv::Size rescaled_size(int w, int h, const PreprocessParams& p) {
  if (w <= 0 || h <= 0)
    throw Error(ErrorKind::InvalidArgument,
                "preprocess: image size " + std::to_string(w) + "x" + std::to_string(h) +
                    " must be positive");
  const double long_edge = std::max(p.scale_long, p.scale_short);
  const double short_edge = std::min(p.scale_long, p.scale_short);
  const double factor = std::min(long_edge / std::max(h, w), short_edge / std::min(h, w));
  const int nw = static_cast<int>(w * factor + 0.5);
  const int nh = static_cast<int>(h * factor + 0.5);
  if (nw <= 0 || nh <= 0)
    throw Error(ErrorKind::InvalidArgument,
                "preprocess: image " + std::to_string(w) + "x" + std::to_string(h) +
                    " would resize to " + std::to_string(nw) + "x" + std::to_string(nh) +
                    " (aspect ratio too extreme for the " + std::to_string(int(long_edge)) + "x" +
                    std::to_string(int(short_edge)) + " box)");
  return {nw, nh};
}

PreprocessResult preprocess_image(const cv::Mat& bgr, const PreprocessParams& p, TensorPool* input_pool) {
  if (bgr.empty() || bgr.type() != CV_8UC3)
    throw Error(ErrorKind::InvalidArgument,
                "preprocess: expected a non-empty 8-bit 3-channel BGR image, got type " +
                    std::to_string(bgr.type()) + " size " + std::to_string(bgr.cols) + "x" +
                    std::to_string(bgr.rows));
  if (p.kind == PreprocessKind::PaddleDetResize) return preprocess_paddle_det(bgr, p, input_pool);
  check_params(p);
  PreprocessResult r;
  r.ori_h = bgr.rows;
  r.ori_w = bgr.cols;
  const cv::Size ns = rescaled_size(bgr.cols, bgr.rows, p);
  r.img_w = ns.width;
  r.img_h = ns.height;
  r.w_scale = static_cast<double>(r.img_w) / r.ori_w;
  r.h_scale = static_cast<double>(r.img_h) / r.ori_h;
  r.pad_w = round_up(r.img_w, p.pad_divisor);
  r.pad_h = round_up(r.img_h, p.pad_divisor);

  cv::Mat resized;
  if (ns == bgr.size()) {
    resized = bgr;  // mmcv still calls cv2.resize, which copies for equal sizes
  } else {
    cv::resize(bgr, resized, ns, 0, 0, cv::INTER_LINEAR);
  }

  // Every element is written below: the image's pixels, and zeros (the
  // padding value) right of and below them.
  r.input = take_or_new(input_pool, DType::f32, {1, 3, r.pad_h, r.pad_w});
  ByteTables tables;
  for (int c = 0; c < 3; ++c) {  // mean/std are given in output (RGB) order
    const float mean = p.mean[c];
    const float stdv = p.std[c];
    // MMOCR 0.x runs mmdet 2.x's Normalize, which stores mean/std as float32
    // arrays; mmcv.imnormalize_ then takes 1 / float64(that float32).
    const double inv_std = 1.0 / static_cast<double>(stdv);
    for (int v = 0; v < 256; ++v) {
      const float t = static_cast<float>(v) - mean;
      tables[c][v] = p.version == MmocrVersion::v0 ? static_cast<float>(static_cast<double>(t) * inv_std) : t / stdv;
    }
  }
  planes_from_byte_tables(resized, tables, p.to_rgb, r.input.data<float>(), r.pad_h, r.pad_w);
  return r;
}

}  // namespace textq
