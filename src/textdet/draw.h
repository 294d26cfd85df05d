// Visualisation of detections (used by `detect --show` and the HTML report).
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "textdet/textsnake_decoder.h"

namespace textq {

// Draws each polygon (coordinates rounded to the nearest pixel, 2 px
// anti-aliased outline in `color`) and its score ("0.953") on a filled label
// at the polygon's top-left-most vertex. bgr must be CV_8UC3; polygons with
// fewer than 2 points or non-finite coordinates are skipped.
void draw_instances(cv::Mat& bgr, const std::vector<TextInstance>& inst, const cv::Scalar& color);

}  // namespace textq
