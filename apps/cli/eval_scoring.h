// Scoring shared by `eval` and `quantize --max-drop`: predictions matched to
// annotated images by file name, then MMOCR's hmean-IoU sweep.
#pragma once

#include <string>

#include "datasets/annotation.h"
#include "eval/hmean.h"
#include "formats/predictions.h"

namespace textq::cli {

// Annotated images without an entry count as images without detections
// (their number goes to *images_without_predictions); a prediction for an image
// that is not annotated is an error naming both files.
eval::HmeanResult score_predictions(const PredictionsFile& preds, const std::string& preds_path, const datasets::Dataset& ann,
                                    const std::string& ann_path, eval::MetricRules rules, size_t* images_without_predictions);

}  // namespace textq::cli
