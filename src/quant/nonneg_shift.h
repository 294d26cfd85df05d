// Non-negative shift of HardSwish-fed conv inputs (docs/quantization.md §9,
// "u8 inputs after HardSwish"). PP-OCR's backbone feeds its convs HardSwish
// outputs (>= -0.375), directly or through an Affine with a positive
// multiplier: a small negative tail, so the symmetric s8 quantization spends
// half its codes on a near-empty side. This exact FP32 rewrite adds
// s = -(lower bound) to the value, so it is >= 0 by construction
// (scale_groups then gives it u8, twice the resolution): in the Affine's
// addend when an Affine makes it, else in a new Affine x + s. Every reading
// conv compensates: bias[oc] -= s * sum of its weights over the taps of oc. A
// conv with zero padding reads the shifted value through a new Pad node
// filled with s (its own pads set to 0), so its border outputs stay exact too.
// Nothing changes in the kernels or the file format.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace textq::quant {

struct NonnegShiftResult {
  Graph graph;
  std::vector<std::string> shifted_convs;  // convs whose input was shifted
  int pads_added = 0;
};

// Shifts every value with a finite negative lower bound (value_lower_bounds)
// whose readers are all Conv nodes reading it as their first input, none of
// them in `skip` (layers that stay FP32 gain nothing). The graph's outputs
// are mathematically unchanged (FP32 rounding differs).
NonnegShiftResult shift_hardswish_inputs(const Graph& graph, const std::set<std::string>& skip);

// Lower bound of every value by construction (-inf when unknown): 0 after
// ReLU / sigmoids / Clip(min >= 0), -0.375 after HardSwish, propagated
// through Affine with multipliers >= 0, Pad, MaxPool and Concat.
std::vector<double> value_lower_bounds(const Graph& graph);

}  // namespace textq::quant
