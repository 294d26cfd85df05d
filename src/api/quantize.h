// Post-training INT8 quantization of a textq model file, as the C API and the
// Python module run it: the core of `textq quantize` (calibration on a
// seeded selection of images, the exact rewrites before it, every
// Conv/ConvTranspose INT8 except the layers kept FP32, bias correction)
// without its diagnostics, sensitivity and --max-drop. The CLI runs the same
// steps through the functions below.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "formats/model.h"
#include "ir/fold_pointwise.h"
#include "quant/calibrator.h"
#include "quant/quantize_graph.h"
#include "textdet/image_io.h"

namespace textq {

struct QuantizeRequest {
  std::string calib;       // folder or annotation json (quant/calib_source.h)
  std::string calib_root;  // image root of an annotation json
  std::string method = "mse";
  double percentile = 99.99;
  int num = 100;           // 0 = all images
  uint64_t seed = 0;
  std::vector<std::string> fp32_layers;
  bool int8_head = false;
  // The head's 1x1 conv folded into the linear conv that alone feeds it
  // (docs/quantization.md §5); on by default as in the CLI (--no-fold-head).
  bool fold_head = true;
  // Per-channel scaling of depthwise conv inputs (docs/quantization.md §9):
  // exact, on by default as in the CLI (--no-equalize-dw); nothing to do and
  // no extra run for a graph without depthwise convs.
  bool equalize_dw = true;
  // Optional steps (docs/quantization.md §4, §5, §9), off by default as in the CLI.
  bool fold_pointwise = false;   // --fold-pointwise: every such pair, not only the head's
  bool nonneg_shift = false;     // --nonneg-shift: HardSwish-fed conv inputs shifted to >= 0 (u8)
  bool bias_correction = false;  // --bias-correction: per-channel empirical bias correction
  bool gptq = false;             // --gptq: s8 weights rounded for a small layer output error (quant/gptq.h)
  BackendKind backend = BackendKind::OneDnn;
  int threads = 0;
  uint64_t max_image_pixels = kDefaultMaxImagePixels;
};

// Error(InvalidArgument) naming `path` when the model is already INT8.
void require_fp32_model(const Model& model, const std::string& path);
// The INT8 model: `fp32` with its graph rewritten by `table` and `options`.
Model make_int8_model(const Model& fp32, const quant::CalibrationTable& table, const quant::QuantOptions& options);

// The layers every step keeps FP32: `fp32_layers` and, unless int8_head, the head.
std::set<std::string> layers_kept_fp32(const Graph& graph, const std::vector<std::string>& fp32_layers, bool int8_head);

// The folds before calibration: with fold_head, the head's 1x1 conv
// (is_head_node) into its producer, unless the caller asked for the head
// itself (int8_head, or its name in fp32_layers); with fold_pointwise, every
// other pair too. Returns the folded pairs.
std::vector<FoldedPair> fold_before_calibration(Graph& graph, bool fold_head, bool fold_pointwise, bool int8_head,
                                                       const std::vector<std::string>& fp32_layers);

// --equalize-dw and --nonneg-shift, in that order, on the FP32 graph before
// calibration (exact rewrites: the graph's outputs change by FP32 rounding only).
struct ExactRewrites {
  size_t equalized_convs = 0;
  double largest_factor = 1.0;
  size_t shifted_convs = 0;
  int pads_added = 0;
};
ExactRewrites apply_exact_rewrites(Graph& graph, const quant::CalibInputs& inputs, const std::set<std::string>& keep_fp32,
                                   bool equalize_dw, bool nonneg_shift, BackendKind backend, int threads);

// Loads model_path, calibrates, quantizes and saves output_path atomically.
void quantize_model_file(const std::string& model_path, const std::string& output_path, const QuantizeRequest& request);

}  // namespace textq
