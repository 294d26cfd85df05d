// MMOCR's `fill_hole`: fill background regions not 4-connected to the border.
#pragma once

#include <opencv2/core.hpp>

namespace textq {

// mask: CV_8U, 0/1. Returns CV_8U 0/1 of the same size: mask OR every zero
// region that cv::floodFill (4-connected, exact match) from outside cannot reach.
cv::Mat fill_hole(const cv::Mat& mask);

}  // namespace textq
