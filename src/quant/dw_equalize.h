// Per-channel range equalization of depthwise conv inputs (docs/quantization.md
// §9). A depthwise conv's input channel c feeds only its output channel c, so
// multiplying channel c of its input by k_c and its weights by 1/k_c is exact
// in FP32, and the per-output-channel s8 weight scales absorb 1/k_c without any
// change to the weights' quantization error. Choosing k_c so that every
// channel's |x| max equals the largest channel's (observed on the calibration
// images; k_c <= max_factor) lets the one per-tensor activation scale serve all channels, where
// it otherwise quantizes a narrow channel with a handful of levels. k_c goes
// into the Affine that makes the input (the model's own, scalar multipliers
// becoming per channel), or into a new per-channel Affine.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "quant/calibrator.h"

namespace textq::quant {

struct DwEqualizeOptions {
  BackendKind backend = BackendKind::Reference;  // runs the FP32 graph to observe channel ranges
  int threads = 0;
  double max_factor = 64.0;  // k_c is at most this (a near-constant channel is not blown up)
};

struct DwEqualizeResult {
  Graph graph;
  std::vector<std::string> convs;  // depthwise convs whose input was equalized
  double largest_factor = 1.0;
};

// Whether equalize_depthwise_inputs would touch anything: a value that is not
// the graph input or an output and is read, as their source, only by depthwise
// convs without residual outside `skip`. Cheap (no run).
bool has_equalizable_depthwise(const Graph& graph, const std::set<std::string>& skip);

// Equalizes the input of every depthwise Conv (groups = in = out channels) not
// in `skip` whose input value is read only by such convs and is not the graph
// input. Deterministic; the graph's outputs are unchanged up to FP32 rounding.
// A graph with nothing to equalize comes back unchanged without being run.
DwEqualizeResult equalize_depthwise_inputs(const Graph& graph, const CalibInputs& inputs, const std::set<std::string>& skip,
                                           const DwEqualizeOptions& options);

}  // namespace textq::quant
