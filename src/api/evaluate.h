// Scoring of a predictions file against an annotation file by path, for the
// C API and the Python module (the CLI's `eval --preds` does the same).
#pragma once

#include <string>

#include "eval/hmean.h"

namespace textq {

// metric "mmocr0" / "mmocr1"; *images_without_predictions (optional) counts
// annotated images that have no entry in the predictions file.
eval::HmeanResult evaluate_prediction_file(const std::string& preds_path, const std::string& ann_path,
                                           const std::string& metric, size_t* images_without_predictions = nullptr);

}  // namespace textq
