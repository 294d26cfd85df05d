// Agreement of two detectors on the same images, without labels: the
// reference detector's polygons (e.g. FP32) stand in for ground truth. At each
// of MMOCR's score thresholds t, GT = reference polygons kept at t, predictions
// = test polygons kept at t (the rules' own comparison), scored with the
// hmean-IoU matcher. hmean 1.0 at t means both keep the same text at t.
#pragma once

#include <vector>

#include "eval/hmean.h"

namespace textq::eval {

// ref[i] and test[i] describe the same image. One row per threshold; `best`
// is the first threshold with the greatest agreement among the rows where
// either side keeps a polygon.
HmeanResult evaluate_agreement(const std::vector<ImagePred>& ref, const std::vector<ImagePred>& test, MetricRules rules);

}  // namespace textq::eval
