// Pictures for the report's per-image rows: the image scaled down, ground
// truth or detections drawn on it, encoded as an inline JPEG data URI.
// Detections go through textdet's draw_instances (as `detect --show` draws
// them); ground truth has no score, so it is drawn here without a label.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "datasets/annotation.h"
#include "textdet/textsnake_decoder.h"

namespace textq::report {

// Colours (BGR). Detections matched by the other model use detect --show's green.
inline const cv::Scalar kGtColor{220, 120, 20};        // blue
inline const cv::Scalar kIgnoredGtColor{150, 150, 150};  // grey, dashed
inline const cv::Scalar kMatchedColor{0, 200, 0};        // green, as detect --show
inline const cv::Scalar kUnmatchedColor{40, 40, 230};    // red: no partner in the other model

// A copy whose longer side is at most max_side (never enlarged); *scale gets
// the factor applied to coordinates. Throws Error(InvalidArgument) for an
// empty image or max_side < 16.
cv::Mat fit_image(const cv::Mat& bgr, int max_side, double* scale);

std::vector<double> scale_polygon(const std::vector<double>& xy, double scale);

// Care GT: solid 2 px outline; ignored GT: dashed grey outline. `scale` maps
// annotation pixels to `bgr` pixels. Degenerate or non-finite polygons are skipped.
void draw_ground_truth(cv::Mat& bgr, const std::vector<datasets::TextInstance>& gt, double scale);

// A closed polyline as dashes of `dash` px separated by `gap` px.
void draw_dashed_polygon(cv::Mat& bgr, const std::vector<cv::Point2d>& pts, const cv::Scalar& color, double dash, double gap);

// "data:image/jpeg;base64,..." (quality 1..100).
std::string jpeg_data_uri(const cv::Mat& bgr, int quality);

}  // namespace textq::report
