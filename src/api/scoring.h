// Scoring of a predictions file against an annotation file, shared by the CLI
// (`eval`, `quantize --max-drop`), the C API and the Python module:
// predictions matched to annotated images by file name, then MMOCR's hmean-IoU sweep.
#pragma once

#include <string>
#include <vector>

#include "datasets/annotation.h"
#include "eval/hmean.h"
#include "formats/predictions.h"

namespace textq {

// Annotated images without an entry count as images without detections
// (their number goes to *images_without_predictions); a prediction for an image
// that is not annotated, or a second entry for one image, is an error naming
// both files. `only` (sorted, distinct annotation indexes) restricts the sweep to
// those images (a shard); the whole file is still checked.
eval::HmeanResult score_predictions(const PredictionsFile& preds, const std::string& preds_path, const datasets::Dataset& ann,
                                    const std::string& ann_path, eval::MetricRules rules, size_t* images_without_predictions,
                                    const std::vector<size_t>* only = nullptr);

// "mmocr0" / "mmocr1"; anything else is Error(InvalidArgument).
eval::MetricRules metric_rules_from_name(const std::string& name);

}  // namespace textq
