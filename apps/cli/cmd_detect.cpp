// textq detect MODEL IMAGE...: polygons and scores in original-image
// coordinates, optionally drawn (--show) and with the raw tensors (--save-maps).
#include <filesystem>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include "commands.h"
#include "core/file_util.h"
#include "core/npy.h"
#include "formats/predictions.h"
#include "pipeline/detector.h"
#include "progress.h"
#include "runtime_options.h"
#include "textdet/draw.h"
#include "textdet/image_io.h"
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

void ensure_dir(const std::string& dir, const char* flag) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) throw Error(ErrorKind::Io, fmt::format("{} {}: cannot create directory: {}", flag, dir, ec.message()));
}

void write_shown(const std::string& dir, const std::string& image_path, cv::Mat bgr, const Detection& det) {
  draw_instances(bgr, det.instances, cv::Scalar(0, 200, 0));
  const std::string out = (fs::path(dir) / (fs::path(image_path).stem().string() + ".jpg")).string();
  write_file_atomic(out, [&](const std::string& tmp) {
    std::vector<uchar> buf;
    if (!cv::imencode(".jpg", bgr, buf)) throw Error(ErrorKind::Internal, "cannot encode " + out);
    std::string bytes(buf.begin(), buf.end());
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
      if (f) std::fclose(f);
      throw Error(ErrorKind::Io, "cannot write " + out);
    }
    if (std::fclose(f) != 0) throw Error(ErrorKind::Io, "cannot write " + out);
  });
}

void run_detect(DetectArgs& a, const GlobalOptions& g) {
  // Check every input before doing any work, so a typo fails fast.
  std::vector<std::string> missing;
  for (const auto& img : a.images)
    if (!fs::is_regular_file(img)) missing.push_back(img);
  if (!missing.empty())
    throw Error(ErrorKind::Io, fmt::format("{} image(s) not found: {}", missing.size(), fmt::join(missing, ", ")));
  if (!a.show_dir.empty()) ensure_dir(a.show_dir, "--show");
  if (!a.maps_dir.empty()) ensure_dir(a.maps_dir, "--save-maps");

  Model model = load_model(a.model);
  apply_runtime_options(a.runtime, model);
  DetectorOptions dopt = detector_options(a.runtime, g.verbose);
  dopt.keep_tensors = !a.maps_dir.empty();
  Detector detector(model, dopt);

  PredictionsFile preds;
  preds.model = a.model;
  Progress progress(a.images.size(), "detect", g.quiet);
  for (const auto& path : a.images) {
    cv::Mat bgr = load_image_bgr(path);
    Detection det = with_error_context(path, [&] { return detector.detect(bgr); });
    ImagePrediction p;
    p.img_path = path;
    p.width = det.width;
    p.height = det.height;
    for (const auto& inst : det.instances) {
      p.polygons.push_back(inst.polygon);
      p.scores.push_back(inst.score);
    }
    if (!g.quiet || a.output.empty()) {
      progress.clear_line();
      fmt::print("{}: {}x{}, {} text instance(s)  [pre {:.0f} ms, net {:.0f} ms, decode {:.0f} ms]\n", path, det.width, det.height,
                 det.instances.size(), det.ms_preprocess, det.ms_network, det.ms_decode);
      if (g.verbose)
        for (size_t i = 0; i < det.instances.size(); ++i)
          fmt::print("  #{} score {:.4f}, {} points\n", i, det.instances[i].score, det.instances[i].polygon.size() / 2);
    }
    if (!a.show_dir.empty()) write_shown(a.show_dir, path, bgr, det);
    if (!a.maps_dir.empty()) {
      const std::string stem = (fs::path(a.maps_dir) / fs::path(path).stem()).string();
      write_npy(stem + ".input.npy", det.input);
      write_npy(stem + ".output.npy", det.raw_output);
    }
    preds.predictions.push_back(std::move(p));
    progress.step();
  }
  progress.finish();
  if (!a.output.empty()) save_predictions(preds, a.output);
}

}  // namespace

void register_detect(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<DetectArgs>();
  CLI::App* cmd = app.add_subcommand("detect", "Detect text polygons in images");
  cmd->add_option("model", args->model, "textq model file")->required();
  cmd->add_option("images", args->images, "Image files")->required();
  cmd->add_option("-o,--output", args->output, "Write predictions JSON (textq-predictions v1)");
  cmd->add_option("--show", args->show_dir, "Write each image with its polygons and scores drawn into DIR");
  cmd->add_option("--save-maps", args->maps_dir, "Write <stem>.input.npy and <stem>.output.npy (raw 5-channel map) into DIR");
  add_runtime_options(*cmd, args->runtime, true);
  cmd->callback([args, &global] { run_detect(*args, global); });
}

}  // namespace textq::cli
