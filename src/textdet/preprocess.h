// Test-time pre-processing, by PreprocessParams::kind:
// mmocr: MMOCR's TextSnake (ctw1500) and DBNet configs: keep-ratio bilinear
// resize into the scale_long x scale_short box, BGR->RGB mean/std
// normalisation, zero padding (after normalising) to a multiple of 32 at
// bottom/right.
// paddle_det_resize: PaddleOCR's DetResizeForTest + NormalizeImage +
// ToCHWImage (preprocess_paddle.cpp).
#pragma once

#include <opencv2/core.hpp>

#include "core/tensor_pool.h"
#include "textdet/params.h"
#include "textq/tensor.h"

namespace textq {

struct PreprocessResult {
  Tensor input;            // [1, 3, pad_h, pad_w] f32, RGB planes
  int ori_h = 0, ori_w = 0;  // decoded image
  int img_h = 0, img_w = 0;  // after resize
  int pad_h = 0, pad_w = 0;  // after padding (= network input / map size)
  double w_scale = 1.0, h_scale = 1.0;  // img_w / ori_w, img_h / ori_h
};

// PaddleOCR DetResizeForTest.resize_image_type0: the (w, h) a w x h image is
// resized to (ratio by limit_type, int() truncation, max_side_limit, then
// round-half-even to multiples of 32, at least 32).
cv::Size paddle_resized_size(int w, int h, const PreprocessParams& p);
// The paddle_det_resize pipeline; preprocess_image dispatches here.
PreprocessResult preprocess_paddle_det(const cv::Mat& bgr, const PreprocessParams& p, TensorPool* input_pool = nullptr);

// The (w, h) MMOCR resizes a w x h image to: factor = min(long/max(w,h),
// short/min(w,h)) in double, new = int(side * factor + 0.5). Throws
// Error(InvalidArgument) if a side would become 0 or the box is invalid.
cv::Size rescaled_size(int w, int h, const PreprocessParams& p);

// bgr: CV_8UC3. mmocr kind: 0.x (mmcv.imnormalize): float32(x - float32(mean)) then
// * (1/std) in double, rounded to float32; 1.x (torch): (x - mean) / std in
// float32. Throws Error(InvalidArgument) for an empty or non-8UC3 image or
// invalid parameters. input_pool: where the input tensor comes from (a new
// one without it); every element is written either way.
PreprocessResult preprocess_image(const cv::Mat& bgr, const PreprocessParams& p, TensorPool* input_pool = nullptr);

}  // namespace textq
