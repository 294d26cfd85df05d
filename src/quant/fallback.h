// Automatic FP32 fallback (`quantize --max-drop X --val SOURCE`): quantize
// everything, measure a task metric on validation images, and move the most
// sensitive layers back to FP32 one at a time until the metric is within
// `max_drop` of the FP32 model's. The metric is the caller's (hmean against
// labels, or agreement with the FP32 detections); higher is better.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "quant/calibration_table.h"
#include "quant/quantize_graph.h"

namespace textq::quant {

using GraphMetric = std::function<double(const Graph& graph)>;

struct FallbackStep {
  std::string layer;   // tried in FP32 before this measurement ("" = the all-INT8 start)
  double metric = 0;   // task metric of the graph with that layer FP32
  bool kept = false;   // the move raised the metric and stays; otherwise it was undone
};

struct FallbackResult {
  Graph graph;                         // the accepted graph
  std::vector<std::string> fp32_layers;  // options.fp32_layers plus the layers moved back
  double fp32_metric = 0;
  double metric = 0;                   // task metric of the accepted graph
  int moved = 0;                       // layers moved back (kept moves)
  std::vector<FallbackStep> steps;     // every measurement, in order
  bool within = false;                 // fp32_metric - metric <= max_drop
};

// Tries the layers of `order` one at a time, keeping a move only when it
// raises the metric, until within `max_drop`, `max_moves` moves are kept, or
// the order is exhausted. fp32_metric: the FP32 graph's metric when the
// caller knows it (agreement with the FP32 detections is 1 by definition),
// else it is measured. Throws Error(InvalidArgument) for a negative or
// non-finite max_drop.
FallbackResult fallback_until_within(const Graph& fp32, const CalibrationTable& table, const QuantOptions& options,
                                     const std::vector<std::string>& order, double max_drop, int max_moves,
                                     const GraphMetric& metric, std::optional<double> fp32_metric = std::nullopt);

}  // namespace textq::quant
