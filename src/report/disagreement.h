// Where INT8 and FP32 detections differ, image by image: each image's own
// hmean at each model's best threshold (same rules as the dataset score) and
// the detections of one model with no IoU >= 0.5 partner in the other. The
// report shows images in `more_disagreement` order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/annotation.h"
#include "eval/hmean.h"
#include "formats/predictions.h"

namespace textq::report {

// Pairs each annotated image with its predictions by file name (basename of
// img_path); images without an entry get no detections. An entry for an
// image that is not annotated, or a second entry for one image, is an
// Error(InvalidFile) naming preds_path and the entry.
std::vector<eval::ImagePred> align_predictions(const PredictionsFile& preds, const std::string& preds_path,
                                               const datasets::Dataset& ann, const std::string& ann_path);

// Whether a detection with `score` counts at threshold `thr` (the metric's
// own rule: 0.x score > 0.3 and >= thr; 1.x the same in float32, inclusive).
bool counted_at_threshold(double score, double thr, eval::MetricRules rules);

// IoU of two polygons (x0,y0,...; even count >= 6), invalid rings repaired
// as MMOCR 1.x does; 0 when either is degenerate.
double polygon_iou(const std::vector<double>& a, const std::vector<double>& b);

struct ModelOnImage {
  double hmean = 0;
  int64_t hits = 0, gt = 0, det = 0;  // at the model's best threshold
  std::vector<size_t> kept;           // detections counted at that threshold (indices into the image's polygons)
  std::vector<bool> matched;          // parallel to kept: has a partner in the other model
  int unmatched() const;
};

struct ImageComparison {
  size_t image = 0;  // index into the annotation
  std::string name;
  ModelOnImage fp32, int8;
  double hmean_delta() const { return int8.hmean - fp32.hmean; }
  int unmatched() const { return fp32.unmatched() + int8.unmatched(); }
};

struct CompareOptions {
  eval::MetricRules rules = eval::MetricRules::Mmocr0;
  size_t fp32_threshold = 0, int8_threshold = 0;  // indexes into eval::score_thresholds()
  double match_iou = 0.5;
};

// gts, fp32 and int8 are parallel (one entry per annotated image).
std::vector<ImageComparison> compare_images(const std::vector<eval::ImageGt>& gts, const std::vector<eval::ImagePred>& fp32,
                                            const std::vector<eval::ImagePred>& int8, const CompareOptions& options);

// Larger |hmean delta| first, then more unmatched detections, then lower
// FP32 hmean, then annotation order (a strict weak order; stable output).
bool more_disagreement(const ImageComparison& a, const ImageComparison& b);

}  // namespace textq::report
