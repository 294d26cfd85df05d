// Flags shared by every command that runs a model (detect, eval, bench,
// quantize): backend, threads, MMOCR version and decoder overrides.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "formats/model.h"
#include "pipeline/detector.h"

namespace textq::cli {

struct RuntimeOptions {
  std::string backend = "onednn";
  int threads = 0;
  std::string precision = "fp32";  // bf16: FP32 nodes in bf16 on oneDNN (AVX-512 BF16 / AMX)
  std::optional<int> mmocr;  // overrides the model's MMOCR version rules
  std::optional<float> min_center_region_confidence;
  std::optional<double> min_center_area;
  std::optional<double> disk_overlap_thr;
  std::optional<double> radius_shrink_ratio;
  std::optional<long long> max_centralize_steps;
  std::string db;  // DB models: KEY=VALUE[,...] over the model's DB parameters
};

void add_runtime_options(CLI::App& cmd, RuntimeOptions& opt, bool with_decoder);
// Applies the overrides to a loaded model's parameters.
void apply_runtime_options(const RuntimeOptions& opt, Model& model);
DetectorOptions detector_options(const RuntimeOptions& opt, bool verbose);
BackendKind parse_backend(const std::string& name);
// One line on stderr when an INT8 model is about to run on oneDNN on a CPU
// without VNNI, whose INT8 kernels do not sum exactly (onednn_executor.h).
void note_int8_on_this_cpu(const RuntimeOptions& opt, const Graph& graph, const std::string& model_path);

}  // namespace textq::cli
