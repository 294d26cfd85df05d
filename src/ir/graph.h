// The textq graph IR: a topologically ordered list of nodes over NCHW float
// tensors (batch 1 or more). Importers build it; backends run it; the
// quantizer observes and rewrites it. Fusions the importers already apply:
// BatchNorm is folded into the preceding Conv, and Conv/ConvTranspose carry an
// optional residual input (added after the bias) and an activation, which map
// to oneDNN post-ops.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "textq/tensor.h"

namespace textq {

enum class OpKind : uint8_t {
#define TEXTQ_OP(e, s) e,
#include "ir/ops.def"
#undef TEXTQ_OP
};
const char* op_kind_name(OpKind op);
OpKind op_kind_from_name(const std::string& name);  // throws Error(InvalidFile)

enum class Activation : uint8_t { None, Relu };
const char* activation_name(Activation act);
Activation activation_from_name(const std::string& name);

// Convolution geometry (also used by ConvTranspose and MaxPool).
// Pads are explicit per side: PyTorch's symmetric padding p is (p, p, p, p).
struct Window2d {
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int dilation_h = 1, dilation_w = 1;       // 1 = dense (PyTorch convention)
  int output_padding_h = 0, output_padding_w = 0;  // ConvTranspose only
  int groups = 1;

  // k x k kernel, the same stride both ways, padding p on every side
  // (PyTorch's Conv2d(kernel_size=k, stride=s, padding=p)).
  static Window2d square(int kernel, int stride, int pad) {
    Window2d w;
    w.kernel_h = w.kernel_w = kernel;
    w.stride_h = w.stride_w = stride;
    w.pad_top = w.pad_left = w.pad_bottom = w.pad_right = pad;
    return w;
  }
};

// Resize (ONNX opset 11+ semantics, docs/operators.md): how an output index
// maps to an input coordinate and, for nearest, how that coordinate rounds.
enum class ResizeMode : uint8_t { Nearest, Linear };
enum class CoordMode : uint8_t { HalfPixel, PytorchHalfPixel, AlignCorners, Asymmetric };
enum class NearestRound : uint8_t { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };
const char* resize_mode_name(ResizeMode m);
const char* coord_mode_name(CoordMode m);
const char* nearest_round_name(NearestRound m);

// Attributes of the ops that have more than a window (each field names its users).
struct OpAttrs {
  float alpha = 0.f;  // Clip: min; HardSigmoid: alpha; Pad: the fill value
  float beta = 0.f;   // Clip: max; HardSigmoid: beta
  bool count_include_pad = false;  // AveragePool: padded cells count in the divisor
  // Resize: output = floor(input * scale) per side unless out_h/out_w > 0 (fixed sizes).
  ResizeMode resize_mode = ResizeMode::Nearest;
  CoordMode coord_mode = CoordMode::HalfPixel;
  NearestRound nearest_round = NearestRound::RoundPreferFloor;
  float scale_h = 1.f, scale_w = 1.f;
  int64_t out_h = 0, out_w = 0;
};

// INT8 parameters of a node (issue 4 fills them; empty = FP32 node).
// Convention everywhere: real = scale * q (symmetric, zero point 0).
struct QuantParams {
  bool enabled = false;
  float src_scale = 0.f;               // per tensor
  DType src_type = DType::u8;          // u8 after ReLU, s8 otherwise
  std::vector<float> weight_scales;    // per output channel
  float dst_scale = 0.f;               // per tensor; unused when dst_type == f32
  DType dst_type = DType::f32;
  float residual_scale = 0.f;          // scale of the residual input, if any
};

struct Node {
  std::string name;           // stable, human readable, e.g. "backbone.layer1.0.conv1"
  OpKind op = OpKind::Conv;
  std::vector<int> inputs;    // value ids; Conv/ConvTranspose: [src] or [src, residual]
  int output = -1;            // value id produced by this node
  Window2d window;            // Conv, ConvTranspose, MaxPool, AveragePool; Pad uses its pads
  OpAttrs attrs;              // Sigmoid..Pad (see OpAttrs)
  Activation activation = Activation::None;  // applied last (after bias and residual add)
  // Conv: weight [OC, IC/groups, KH, KW]; ConvTranspose: PyTorch layout [IC, OC/groups, KH, KW].
  // f32, or s8 when quant.enabled. Affine: the multiplier, f32 [C] or [1].
  Tensor weight;
  Tensor bias;                // [OC] f32, may be empty (no bias); Affine: the addend, f32 like weight
  QuantParams quant;

  // Whether this op's node carries weight/bias tensors (Conv, ConvTranspose, Affine).
  bool has_tensors() const { return op == OpKind::Conv || op == OpKind::ConvTranspose || op == OpKind::Affine; }
  bool has_residual() const { return (op == OpKind::Conv || op == OpKind::ConvTranspose) && inputs.size() == 2; }
  int64_t out_channels() const;  // Conv/ConvTranspose, from the weight shape
  // A Conv whose every group is one input and one output channel (more than one group).
  bool is_depthwise_conv() const;
};

struct Graph {
  std::vector<Node> nodes;              // topological order
  std::vector<std::string> value_names; // value id -> name (value 0 is the graph input)
  int input = 0;                        // value id of the NCHW input
  std::vector<int> outputs;             // value ids of the outputs

  int add_value(const std::string& name);
  int num_values() const { return static_cast<int>(value_names.size()); }
  const Node* producer(int value) const;  // nullptr for the graph input
  bool is_output(int value) const;        // whether `value` is one of the graph's outputs
  // Node index of every reader of each value (value id -> nodes, in graph
  // order; a node reading a value twice is listed twice).
  std::vector<std::vector<size_t>> readers() const;

  // Checks ids, topological order, weight/bias shapes and window sanity.
  // Throws Error(InvalidFile) naming the node and the rule.
  void verify() const;
  // Shape of every value for the given input shape [N, C, H, W]; throws
  // Error(InvalidArgument) when a node cannot accept it (e.g. concat mismatch).
  std::vector<Shape> infer_shapes(const Shape& input_shape) const;
  // Multiply-accumulate count for that input: Conv/ConvTranspose taps, one
  // per pooled tap (AveragePool, GlobalAveragePool), one per element (Mul,
  // Affine), four per bilinear Resize output; 0 for the other ops.
  int64_t count_macs(const Shape& input_shape) const;
};

// Output spatial size of a convolution / pooling / transposed convolution.
int64_t conv_out_size(int64_t in, int kernel, int stride, int pad_lo, int pad_hi, int dilation);
// Resize output side: out_fixed when > 0, else floor(in * scale).
int64_t resize_out_size(int64_t in, float scale, int64_t out_fixed);
int64_t deconv_out_size(int64_t in, int kernel, int stride, int pad_lo, int pad_hi, int dilation, int output_padding);

// Graph rewrites that add nodes: before[i] (in order) goes right ahead of
// graph.nodes[i], which keeps the order topological when each new node reads
// values made before node i; then verify() (throws as it does).
void insert_nodes_before(Graph& graph, std::vector<std::vector<Node>> before);

}  // namespace textq
