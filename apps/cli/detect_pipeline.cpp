#include "detect_pipeline.h"

#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "pipeline/batch_detect.h"
#include "progress.h"
#include "show_image.h"
#include "textq/error.h"

namespace fs = std::filesystem;

namespace textq::cli {

PredictionsFile run_detection_over_dataset(const std::string& model_path, const std::string& img_root,
                                           const datasets::Dataset& ann, const GlobalOptions& global,
                                           const DatasetDetectOptions& options, PipelineTiming* timing) {
  std::vector<BatchItem> items;
  std::vector<std::string> missing;
  for (const auto& img : ann.images) {
    const std::string path = (fs::path(img_root) / img.img_path).string();
    if (fs::is_regular_file(path)) {
      items.push_back({path, {}});
    } else {
      missing.push_back(path);
    }
  }
  if (!missing.empty() && !options.skip_missing) {
    const size_t shown = std::min<size_t>(missing.size(), 5);
    throw Error(ErrorKind::Io, fmt::format("{} of {} annotated images not found under {} (first: {}{}); use --skip-missing to score without them",
                                           missing.size(), ann.images.size(), img_root,
                                           fmt::join(missing.begin(), missing.begin() + static_cast<long>(shown), ", "),
                                           missing.size() > shown ? ", ..." : ""));
  }
  if (!missing.empty() && !global.quiet)
    fmt::print(stderr, "note: skipping {} missing image(s) of {} (--skip-missing); they count as images without detections\n",
               missing.size(), ann.images.size());
  if (!options.show_dir.empty()) ensure_output_dir(options.show_dir, "--show");

  Model model = load_model(model_path);
  apply_runtime_options(options.runtime, model);
  if (!global.quiet) note_int8_on_this_cpu(options.runtime, model.graph, model_path);
  Detector detector(model, detector_options(options.runtime, global.verbose));

  PredictionsFile preds;
  preds.model = model_path;
  ProgressBar progress("eval", static_cast<int64_t>(items.size()), !global.quiet);
  BatchOptions batch;
  batch.max_image_pixels = global.max_image_pixels;
  run_batch_detection(detector, items, [&](size_t i, const BatchItem& item, const cv::Mat& bgr) {
    if (!options.show_dir.empty()) write_shown_image(options.show_dir, item.path, bgr, item.detection);
    progress.update(static_cast<int64_t>(i) + 1);
  }, batch);
  progress.finish();
  if (timing && items.size() > 1) {
    // Between the first and the last network end lie exactly the networks of images 2..N.
    PipelineTiming t;
    t.images = items.size() - 1;
    t.wall_ms = std::chrono::duration<double, std::milli>(items.back().detection.network_done -
                                                          items.front().detection.network_done).count();
    for (size_t i = 1; i < items.size(); ++i) t.network_ms += items[i].detection.ms_network;
    *timing = t;
  }
  for (const BatchItem& item : items) preds.predictions.push_back(to_image_prediction(item.path, item.detection));
  return preds;
}

}  // namespace textq::cli
