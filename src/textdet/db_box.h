// The small geometric helpers of the DB decoders, each as its reference
// writes it (PaddleOCR's get_mini_boxes / box_score_fast / box_score_slow,
// MMOCR's box_score_fast); OpenCV does the geometry, as in Python.
#pragma once

#include <array>
#include <vector>

#include <opencv2/core.hpp>

namespace textq {

struct MiniBox {
  std::array<cv::Point2f, 4> corners;  // PaddleOCR's order (see db_box.cpp)
  float short_side = 0;                // min of cv::minAreaRect's size
};

// PaddleOCR get_mini_boxes: cv::minAreaRect, boxPoints sorted by x (stable),
// then ordered top-left, top-right, bottom-right, bottom-left by its rule.
MiniBox paddle_mini_box(const std::vector<cv::Point>& pts);

// Mean of `prob` (float32 map) over the polygon filled inside its clipped
// bounding box (MMOCR box_score_fast and PaddleOCR box_score_fast with
// integer points; PaddleOCR box_score_slow uses the contour itself).
double db_box_score(const cv::Mat& prob, const std::vector<cv::Point>& pts);
// PaddleOCR box_score_fast on a float32 quad: floor/ceil bounds, points
// shifted in float32 and truncated toward zero.
double db_box_score(const cv::Mat& prob, const std::array<cv::Point2f, 4>& quad);

}  // namespace textq
