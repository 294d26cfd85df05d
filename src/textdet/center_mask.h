// The decoder's centre-region mask S > thr, S = sigmoid(P1) * sigmoid(P0),
// without evaluating the sigmoids on pixels that cannot pass.
#pragma once

#include <opencv2/core.hpp>

namespace textq {

struct CenterMask {
  cv::Mat mask;  // CV_8U, h x w, 0/1
  cv::Rect box;  // bounding box of the 1 pixels (empty if none)
};

// text_logit, center_logit: h x w float32 planes (channels 0 and 1). Bit for
// bit the mask of the full-frame float32 computation
// `float32(sigmoid1_f32(P1) * sigmoid1_f32(P0)) > thr`.
CenterMask center_region_mask(const float* text_logit, const float* center_logit, int h, int w,
                              float thr);

}  // namespace textq
