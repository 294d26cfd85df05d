// Detection over the images of an annotation file (eval --model) and over a
// list of image files (detect), shared so both print and report alike.
#pragma once

#include <string>
#include <vector>

#include "commands.h"
#include "datasets/annotation.h"
#include "formats/predictions.h"
#include "runtime_options.h"

namespace textq::cli {

struct DatasetDetectOptions {
  RuntimeOptions runtime;
  bool skip_missing = false;  // skip images that do not exist (and say how many) instead of failing
  std::string show_dir;       // draw detections into this folder
};

// Runs `model_path` over every annotated image under `img_root`; missing
// images are listed in one error unless skip_missing.
PredictionsFile run_detection_over_dataset(const std::string& model_path, const std::string& img_root,
                                           const datasets::Dataset& ann, const GlobalOptions& global,
                                           const DatasetDetectOptions& options);

}  // namespace textq::cli
