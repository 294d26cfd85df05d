// MMOCR's TextSnake instance score, np.sum(Z * T) / (np.sum(Z) + 1e-8), with
// the float32 sum in NumPy's order over the whole frame, computed from a
// window of Z.
#pragma once

#include <opencv2/core.hpp>

namespace textq {

// z: CV_8U window of the h x w union mask Z at frame position `origin`
// (Z is 0 outside it; non-zero = 1). text_logit: the h x w channel-0 plane;
// T = sigmoid1_f32(logit) is evaluated only where Z is set. Bit-identical to
// numpy_sum_f32 over the full-frame product Z*T divided by count + 1e-8.
double union_text_score(const cv::Mat& z, cv::Point origin, const float* text_logit, int h, int w);

}  // namespace textq
