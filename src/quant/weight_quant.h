// Per-output-channel symmetric s8 weights: scale[oc] = max|W[oc]| / 127,
// q = clamp(round_half_even(W / scale[oc]), -127, 127). An all-zero channel
// gets scale 1.0 (its q are all 0, so any positive scale is exact; 1.0 keeps
// the combined oneDNN output scale in a normal range). A non-finite weight or
// a scale that underflows below FLT_MIN is refused with Error(InvalidArgument)
// naming the node and the channel.
#pragma once

#include <vector>

#include "ir/graph.h"

namespace textq::quant {

struct QuantizedWeight {
  Tensor weight;               // s8, same shape and layout as the f32 weight
  std::vector<float> scales;   // per output channel
};

// node: Conv ([OC, IC/g, KH, KW]) or ConvTranspose ([IC, OC/g, KH, KW]) with f32 weights.
QuantizedWeight quantize_weight_per_oc(const Node& node);

}  // namespace textq::quant
