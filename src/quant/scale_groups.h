// Which graph values must share one INT8 scale, and which are non-negative
// by construction (so can be u8):
//  - a Concat's output shares one scale with each input that nothing else
//    reads (no requantization for those);
//  - a Concat input that something else also reads (in TextSnake: a backbone
//    stage output, read by the next stage and by the neck's concat) keeps its
//    own scale and is requantized into the concat's. Sharing would hand the
//    next backbone stage the neck's much wider range (measured: stage outputs
//    at 1.3-1.8x their own threshold, ~1 dB lost in every later backbone layer);
//  - a MaxPool's input and output share one scale (max commutes with x/scale).
// A group's statistics come from its *source* values (values produced by
// anything but MaxPool/Concat, and the graph input; MaxPool/Concat outputs
// contain nothing but source values) plus the requantized Concat inputs, whose
// values are in the concat output too.
#pragma once

#include <vector>

#include "ir/graph.h"

namespace textq::quant {

struct ScaleGroups {
  std::vector<int> group_of;                 // value id -> group id (0..num_groups-1)
  std::vector<std::vector<int>> sources;     // group id -> value ids whose statistics set its scale
  std::vector<bool> value_nonneg;            // value id -> >= 0 by construction (ReLU, max/concat of such)
  std::vector<bool> group_nonneg;            // group id -> every source non-negative (type u8)
  int num_groups() const { return static_cast<int>(sources.size()); }
};

ScaleGroups build_scale_groups(const Graph& graph);

}  // namespace textq::quant
