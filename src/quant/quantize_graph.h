// Rewrites an FP32 graph into an INT8 one from a calibration table
// (docs/quantization.md). Every Conv/ConvTranspose becomes INT8 (s8 per-OC
// weights, no FP32 copy kept) except the nodes named in fp32_layers, which
// stay FP32 untouched. For an INT8 node:
//   src_type/src_scale = type/scale of its input value's scale group;
//   dst = u8/s8 with the output group's scale when some INT8 node consumes the
//         output (directly or through MaxPool/Concat), f32 otherwise, and f32
//         always for graph outputs and for the head (is_head_node);
//   residual_scale = the residual producer's dst_scale when that producer is
//         INT8 with an integer dst, else 0 (the residual arrives as f32).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "quant/calibration_table.h"
#include "quant/weight_quant.h"

namespace textq::quant {

struct QuantOptions {
  std::vector<std::string> fp32_layers;  // exact node names kept FP32
  // The head's last conv (names ending in a head suffix): kept entirely FP32
  // by default (its input then stays f32 too, so the full-resolution map that
  // feeds the logits is never requantized; measured +1.4..1.9 dB output SQNR
  // for 0.12% of the MACs, docs/quantization.md). int8_head = true makes it
  // INT8 with an s8 input and an f32 output instead.
  std::vector<std::string> head_suffixes = {"_head.out_conv"};
  bool int8_head = false;
  // s8 weights chosen beforehand (GPTQ rounding, quant/gptq.h), by node name;
  // a node not in it gets RTN (quantize_weight_per_oc).
  std::shared_ptr<const std::map<std::string, QuantizedWeight>> rounded_weights;
};

// Whether a node name is the head's last conv under these options.
bool is_head_node(const std::string& name, const QuantOptions& options);

// Throws Error(InvalidArgument) for: an already INT8 graph; a table that does
// not match the graph; an unknown / non-conv name in fp32_layers (the message
// lists close matches); a zero or non-finite activation or weight scale (the
// message names the layer and suggests --fp32-layers).
Graph quantize_graph(const Graph& graph, const CalibrationTable& table, const QuantOptions& options);

// Conv/ConvTranspose node names of a graph (candidates for --fp32-layers).
std::vector<std::string> conv_node_names(const Graph& graph);

}  // namespace textq::quant
