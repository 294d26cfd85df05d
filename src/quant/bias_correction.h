// Empirical bias correction (docs/quantization.md §4, "Bias correction").
// Rounding the weights of a conv to s8 and its input to the activation grid
// shifts each output channel's mean by a systematic amount (the rounding
// errors do not average out when the input's mean is not zero). For every
// INT8 Conv/ConvTranspose, in graph order: run the calibration inputs through
// the INT8 graph as corrected so far, take the layer's input value, compute
// the layer's pre-activation output (no bias, no residual, no activation)
// once in INT8 and once with the FP32 weights on that same input, and
// subtract the per-output-channel mean of the difference from the bias.
// Layers are corrected one after another, so each sees inputs already
// produced by corrected upstream layers.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "quant/calibrator.h"

namespace textq::quant {

struct BiasCorrectionOptions {
  BackendKind backend = BackendKind::Reference;  // runs the INT8 graph and the one-layer graphs
  int threads = 0;
};

struct LayerBiasShift {
  std::string name;
  double mean_abs_shift = 0;  // mean over output channels of |mean difference|
  double max_abs_shift = 0;
  double mean_abs_bias = 0;   // mean |bias| before the correction (scale of comparison)
};

// fp32_graph and int8_graph (quantize_graph of fp32_graph) must have the same
// nodes. Returns int8_graph with the biases of its INT8 convs corrected (a
// conv without bias gets one); the input graphs are not modified. Throws
// Error(InvalidArgument) when inputs.count is 0 or the graphs do not match.
// Deterministic: inputs in order, sums in double in a fixed order.
Graph correct_biases(const Graph& fp32_graph, const Graph& int8_graph, const CalibInputs& inputs,
                     const BiasCorrectionOptions& options, const ProgressFn& progress = nullptr,
                     std::vector<LayerBiasShift>* shifts = nullptr);

// Per output channel mean over inputs and positions of (INT8 layer - FP32
// layer) on the input the INT8 graph `int8_graph` feeds node `node_index`,
// both without bias, residual and activation. Exposed for tests.
std::vector<double> layer_mean_error(const Graph& fp32_graph, const Graph& int8_graph, size_t node_index,
                                     const CalibInputs& inputs, const BiasCorrectionOptions& options);

}  // namespace textq::quant
