// DB's "unclip": grow a polygon by area * ratio / perimeter with Clipper's
// round-join offset, exactly as MMOCR and PaddleOCR do through Shapely +
// pyclipper (same GEOS for area/length, same Clipper 6.4 for the offset).
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace textq {

// pts: the polygon's vertices (float values are truncated toward zero for
// Clipper, as pyclipper converts them). Returns every path Clipper's
// Execute gives, in its order (usually one; a ring closing on itself gives an
// outer path and a hole). Empty if the polygon has zero perimeter (the
// references would divide by zero there).
std::vector<std::vector<cv::Point>> db_unclip(const std::vector<cv::Point2d>& pts, double unclip_ratio);

}  // namespace textq
