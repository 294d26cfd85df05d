// Leave-one-out layer sensitivity: for every INT8 layer of the fully
// quantized graph, the network-output SQNR (vs the FP32 graph) when that one
// layer alone goes back to FP32. The gain over the all-INT8 SQNR is the
// share of the output error the layer causes, wherever in the network it
// arises: unlike a layer's own accumulated SQNR, it does not blame a layer for
// the noise of the layers before it. It is the order of `--max-drop`.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "quant/calibration_table.h"
#include "quant/calibrator.h"
#include "quant/diagnostics.h"
#include "quant/quantize_graph.h"

namespace textq::quant {

struct LayerSensitivity {
  std::string name;
  double output_sqnr_db = 0;  // graph output SQNR with this layer FP32, the rest as `options`
  double gain_db = 0;         // output_sqnr_db - the all-INT8 output SQNR
};

struct SensitivityResult {
  double all_int8_sqnr_db = 0;          // graph output SQNR of quantize_graph(fp32, table, options)
  std::vector<LayerSensitivity> layers;  // the INT8 layers, largest gain first (ties: graph order)
};

// Runs the FP32 graph once and 1 + L quantized graphs on each input (L =
// INT8 layers). Output SQNR weighs every output channel equally (
// ChannelEnergy::balanced_sqnr_db over the channels of all outputs, all
// inputs): summed over all elements it would be the largest channel's alone
// (TextSnake's radius map, in pixels, sits ~18 dB above the text logit on the
// demo model), and a layer that spoils the logits would rank low. At most
// diag.max_samples_per_node samples per output and input, evenly strided, as
// in compare_layers. progress: stage "sensitivity", one step per
// graph. Throws what quantize_graph throws.
SensitivityResult leave_one_out_sensitivity(const Graph& fp32_graph, const CalibrationTable& table,
                                            const QuantOptions& options, const CalibInputs& inputs,
                                            const DiagOptions& diag, const ProgressFn& progress = nullptr);

// The layer names of `result` in fallback order (largest gain first).
std::vector<std::string> fallback_order(const SensitivityResult& result);

}  // namespace textq::quant
