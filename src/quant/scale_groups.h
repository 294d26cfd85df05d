// Which graph values must share one INT8 scale, and which are non-negative
// by construction (so can be u8):
//  - a Concat's inputs and output share one scale (no requantization in the concat);
//  - a MaxPool's input and output share one scale (max commutes with x/scale).
// A group's statistics come from its *source* values only (values produced by
// anything but MaxPool/Concat, and the graph input): MaxPool/Concat outputs
// contain nothing but source values.
#pragma once

#include <vector>

#include "ir/graph.h"

namespace textq::quant {

struct ScaleGroups {
  std::vector<int> group_of;                 // value id -> group id (0..num_groups-1)
  std::vector<std::vector<int>> sources;     // group id -> source value ids
  std::vector<bool> value_nonneg;            // value id -> >= 0 by construction (ReLU, max/concat of such)
  std::vector<bool> group_nonneg;            // group id -> every source non-negative (type u8)
  int num_groups() const { return static_cast<int>(sources.size()); }
};

ScaleGroups build_scale_groups(const Graph& graph);

}  // namespace textq::quant
