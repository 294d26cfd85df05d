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

// Steady-state throughput of a run: images 2..N (the first one builds the
// backend's plan), end to end vs the network's own time on the same images.
struct PipelineTiming {
  size_t images = 0;          // images timed (N - 1)
  double wall_ms = 0;         // from the end of image 1's network run to the end of image N's
  double network_ms = 0;      // sum of the network stage over the same images
  double images_per_s() const { return wall_ms > 0 ? 1000.0 * images / wall_ms : 0; }
  double network_images_per_s() const { return network_ms > 0 ? 1000.0 * images / network_ms : 0; }
};

// Runs `model_path` over every annotated image under `img_root`; missing
// images are listed in one error unless skip_missing. `timing` (optional)
// receives the steady-state throughput.
PredictionsFile run_detection_over_dataset(const std::string& model_path, const std::string& img_root,
                                           const datasets::Dataset& ann, const GlobalOptions& global,
                                           const DatasetDetectOptions& options, PipelineTiming* timing = nullptr);

}  // namespace textq::cli
