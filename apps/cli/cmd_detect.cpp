// textq detect MODEL IMAGE...: polygons and scores in original-image
// coordinates, optionally drawn (--show) and with the raw tensors (--save-maps).
#include <filesystem>

#include <fmt/format.h>

#include "commands.h"
#include "core/npy.h"
#include "formats/predictions.h"
#include "pipeline/batch_detect.h"
#include "progress.h"
#include "runtime_options.h"
#include "show_image.h"
#include "textq/error.h"

namespace fs = std::filesystem;

namespace textq::cli {

namespace {

struct DetectArgs {
  std::string model;
  std::vector<std::string> images;
  std::string output;
  std::string show_dir;
  std::string maps_dir;
  RuntimeOptions runtime;
};

void run_detect(const DetectArgs& a, const GlobalOptions& g) {
  // Check every input before doing any work, so a typo fails fast.
  std::vector<std::string> missing;
  for (const auto& img : a.images)
    if (!fs::is_regular_file(img)) missing.push_back(img);
  if (!missing.empty())
    throw Error(ErrorKind::Io, fmt::format("{} image(s) not found: {}", missing.size(), fmt::join(missing, ", ")));
  if (!a.show_dir.empty()) ensure_output_dir(a.show_dir, "--show");
  if (!a.maps_dir.empty()) ensure_output_dir(a.maps_dir, "--save-maps");

  Model model = load_model(a.model);
  apply_runtime_options(a.runtime, model);
  if (!g.quiet) note_int8_on_this_cpu(a.runtime, model.graph, a.model);
  DetectorOptions dopt = detector_options(a.runtime, g.verbose);
  dopt.keep_tensors = !a.maps_dir.empty();
  Detector detector(model, dopt);

  std::vector<BatchItem> items;
  for (const auto& path : a.images) items.push_back({path, {}});
  // Per-image lines go to stdout; with -o and a terminal, a progress bar instead.
  const bool print_lines = !g.quiet || a.output.empty();
  ProgressBar progress("detect", static_cast<int64_t>(items.size()), !g.quiet && !print_lines);
  BatchOptions batch;
  batch.max_image_pixels = g.max_image_pixels;
  run_batch_detection(detector, items, [&](size_t i, const BatchItem& item, const cv::Mat& bgr) {
    const Detection& det = item.detection;
    if (print_lines) {
      fmt::print("{}: {}x{}, {} text instance(s)  [pre {:.0f} ms, net {:.0f} ms, decode {:.0f} ms]\n", item.path, det.width,
                 det.height, det.instances.size(), det.ms_preprocess, det.ms_network, det.ms_decode);
      if (g.verbose)
        for (size_t k = 0; k < det.instances.size(); ++k)
          fmt::print("  #{} score {:.4f}, {} points\n", k, det.instances[k].score, det.instances[k].polygon.size() / 2);
      std::fflush(stdout);
    }
    if (!a.show_dir.empty()) write_shown_image(a.show_dir, item.path, bgr, det);
    if (!a.maps_dir.empty()) {
      const std::string stem = (fs::path(a.maps_dir) / fs::path(item.path).stem()).string();
      npy_write(stem + ".input.npy", det.input);
      npy_write(stem + ".output.npy", det.raw_output);
    }
    progress.update(static_cast<int64_t>(i) + 1);
  }, batch);
  progress.finish();

  if (!a.output.empty()) {
    PredictionsFile preds;
    preds.model = a.model;
    for (const BatchItem& item : items) preds.predictions.push_back(to_image_prediction(item.path, item.detection));
    save_predictions(preds, a.output);
  }
}

}  // namespace

void register_detect(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<DetectArgs>();
  CLI::App* cmd = app.add_subcommand("detect", "Detect text polygons in images");
  cmd->add_option("model", args->model, "textq model file")->required();
  cmd->add_option("images", args->images, "Image files")->required();
  cmd->add_option("-o,--output", args->output, "Write predictions JSON (textq-predictions v1)");
  cmd->add_option("--show", args->show_dir, "Write each image with its polygons and scores drawn into DIR");
  cmd->add_option("--save-maps", args->maps_dir, "Write <stem>.input.npy and <stem>.output.npy (raw network output: TextSnake 5 channels, DB probability) into DIR");
  add_runtime_options(*cmd, args->runtime, true);
  cmd->callback([args, &global] { run_detect(*args, global); });
}

}  // namespace textq::cli
