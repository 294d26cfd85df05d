// Ground truth for the hmean-iou metric, as each MMOCR version derives it
// from an annotation file (see docs/evaluation.md, "Ground truth").
#pragma once

#include <vector>

#include "datasets/annotation.h"
#include "eval/hmean.h"

namespace textq::datasets {

// Mmocr0: IcdarDataset._parse_ann_info — instances with a truthy "ignore"
// key or a non-"text" category, area <= 0, bbox w < 1 or h < 1 are dropped;
// the others are ignored GT when iscrowd/ignore is set. For instances without
// COCO fields (1.x json, txt labels) area and bbox are Shapely's area and
// bounds of the polygon (the reference harness's 1.x -> 0.x view).
// Mmocr1: every instance, ignored = ignore flag.
std::vector<eval::ImageGt> metric_ground_truth(const Dataset& ds, eval::MetricRules rules);

}  // namespace textq::datasets
