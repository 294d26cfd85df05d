#include "ir/graph.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "textq/error.h"

namespace textq {

namespace {

const char* const kOpNames[] = {
#define TEXTQ_OP(e, s) s,
#include "ir/ops.def"
#undef TEXTQ_OP
};
constexpr int kOpCount = sizeof(kOpNames) / sizeof(kOpNames[0]);
static_assert(kOpCount == 16, "ops.def changed: update every backend and this count");

[[noreturn]] void fail_node(const Node& n, const std::string& rule) {
  throw Error(ErrorKind::InvalidFile, std::string("graph node `") + n.name + "` (" + op_kind_name(n.op) + "): " + rule);
}

bool is_conv_like(OpKind op) { return op == OpKind::Conv || op == OpKind::ConvTranspose; }
bool is_windowed(OpKind op) {
  return is_conv_like(op) || op == OpKind::MaxPool || op == OpKind::AveragePool;
}

constexpr float kMaxResizeScale = 1024.f;
constexpr int64_t kMaxResizeSide = int64_t(1) << 20;
constexpr int kMaxPad = 4096;

}  // namespace

const char* resize_mode_name(ResizeMode m) { return m == ResizeMode::Linear ? "linear" : "nearest"; }
const char* coord_mode_name(CoordMode m) {
  switch (m) {
    case CoordMode::HalfPixel: return "half_pixel";
    case CoordMode::PytorchHalfPixel: return "pytorch_half_pixel";
    case CoordMode::AlignCorners: return "align_corners";
    case CoordMode::Asymmetric: return "asymmetric";
  }
  return "?";
}
const char* nearest_round_name(NearestRound m) {
  switch (m) {
    case NearestRound::RoundPreferFloor: return "round_prefer_floor";
    case NearestRound::RoundPreferCeil: return "round_prefer_ceil";
    case NearestRound::Floor: return "floor";
    case NearestRound::Ceil: return "ceil";
  }
  return "?";
}

int64_t resize_out_size(int64_t in, float scale, int64_t out_fixed) {
  if (out_fixed > 0) return out_fixed;
  return static_cast<int64_t>(std::floor(static_cast<double>(in) * static_cast<double>(scale)));
}

const char* op_kind_name(OpKind op) {
  int i = static_cast<int>(op);
  return (i >= 0 && i < kOpCount) ? kOpNames[i] : "?";
}

OpKind op_kind_from_name(const std::string& name) {
  for (int i = 0; i < kOpCount; ++i)
    if (name == kOpNames[i]) return static_cast<OpKind>(i);
  throw Error(ErrorKind::InvalidFile, "unknown op `" + name + "`");
}

const char* activation_name(Activation act) { return act == Activation::Relu ? "Relu" : "None"; }

Activation activation_from_name(const std::string& name) {
  if (name == "None") return Activation::None;
  if (name == "Relu") return Activation::Relu;
  throw Error(ErrorKind::InvalidFile, "unknown activation `" + name + "` (expected None or Relu)");
}

int64_t Node::out_channels() const {
  if (weight.rank() != 4) return 0;
  return op == OpKind::ConvTranspose ? weight.dim(1) * window.groups : weight.dim(0);
}

bool Node::is_depthwise_conv() const {
  if (op != OpKind::Conv || weight.rank() != 4) return false;
  const int64_t oc = weight.dim(0);
  return weight.dim(1) == 1 && window.groups == oc && oc > 1;
}

int Graph::add_value(const std::string& name) {
  value_names.push_back(name);
  return static_cast<int>(value_names.size()) - 1;
}

const Node* Graph::producer(int value) const {
  for (const Node& n : nodes)
    if (n.output == value) return &n;
  return nullptr;
}

bool Graph::is_output(int value) const {
  return std::find(outputs.begin(), outputs.end(), value) != outputs.end();
}

std::vector<std::vector<size_t>> Graph::readers() const {
  std::vector<std::vector<size_t>> r(static_cast<size_t>(num_values()));
  for (size_t i = 0; i < nodes.size(); ++i)
    for (int v : nodes[i].inputs) r[static_cast<size_t>(v)].push_back(i);
  return r;
}

int64_t conv_out_size(int64_t in, int kernel, int stride, int pad_lo, int pad_hi, int dilation) {
  int64_t eff = static_cast<int64_t>(dilation) * (kernel - 1) + 1;
  int64_t span = in + pad_lo + pad_hi - eff;
  return span < 0 ? 0 : span / stride + 1;
}

int64_t deconv_out_size(int64_t in, int kernel, int stride, int pad_lo, int pad_hi, int dilation, int output_padding) {
  return (in - 1) * stride - pad_lo - pad_hi + static_cast<int64_t>(dilation) * (kernel - 1) + output_padding + 1;
}

void Graph::verify() const {
  const int nv = num_values();
  if (nv == 0) throw Error(ErrorKind::InvalidFile, "graph has no values");
  if (input < 0 || input >= nv) throw Error(ErrorKind::InvalidFile, "graph input id " + std::to_string(input) + " out of range");
  if (outputs.empty()) throw Error(ErrorKind::InvalidFile, "graph has no outputs");
  std::vector<char> defined(static_cast<size_t>(nv), 0);
  defined[static_cast<size_t>(input)] = 1;
  for (const Node& n : nodes) {
    for (int v : n.inputs) {
      if (v < 0 || v >= nv) fail_node(n, "input value id " + std::to_string(v) + " out of range [0, " + std::to_string(nv) + ")");
      if (!defined[static_cast<size_t>(v)]) fail_node(n, "input `" + value_names[static_cast<size_t>(v)] + "` is used before it is produced (nodes must be in topological order)");
    }
    if (n.output < 0 || n.output >= nv) fail_node(n, "output value id " + std::to_string(n.output) + " out of range");
    if (defined[static_cast<size_t>(n.output)]) fail_node(n, "output `" + value_names[static_cast<size_t>(n.output)] + "` is produced twice");
    defined[static_cast<size_t>(n.output)] = 1;

    const Window2d& w = n.window;
    switch (n.op) {
      case OpKind::Conv:
      case OpKind::ConvTranspose: {
        if (n.inputs.empty() || n.inputs.size() > 2) fail_node(n, "needs 1 input (+1 optional residual), has " + std::to_string(n.inputs.size()));
        if (n.weight.rank() != 4) fail_node(n, "weight must be 4-D, is " + shape_str(n.weight.shape()));
        if (w.groups < 1) fail_node(n, "groups must be >= 1");
        if (n.weight.dim(2) != w.kernel_h || n.weight.dim(3) != w.kernel_w)
          fail_node(n, "weight " + shape_str(n.weight.shape()) + " does not match kernel " + std::to_string(w.kernel_h) + "x" + std::to_string(w.kernel_w));
        const DType want = n.quant.enabled ? DType::i8 : DType::f32;
        if (n.weight.dtype() != want) fail_node(n, std::string("weight dtype is ") + dtype_name(n.weight.dtype()) + ", expected " + dtype_name(want));
        const int64_t oc = n.out_channels();
        if (!n.bias.empty() && (n.bias.rank() != 1 || n.bias.dim(0) != oc || n.bias.dtype() != DType::f32))
          fail_node(n, "bias must be f32 [" + std::to_string(oc) + "], is " + shape_str(n.bias.shape()));
        if (n.quant.enabled && static_cast<int64_t>(n.quant.weight_scales.size()) != oc)
          fail_node(n, "needs " + std::to_string(oc) + " weight scales, has " + std::to_string(n.quant.weight_scales.size()));
        break;
      }
      case OpKind::MaxPool:
        if (n.inputs.size() != 1) fail_node(n, "needs exactly 1 input");
        break;
      case OpKind::Concat:
        if (n.inputs.size() < 2) fail_node(n, "needs at least 2 inputs");
        break;
      case OpKind::Add:
        if (n.inputs.size() != 2) fail_node(n, "needs exactly 2 inputs");
        break;
      case OpKind::Mul:
        if (n.inputs.size() != 2) fail_node(n, "needs exactly 2 inputs");
        break;
      case OpKind::Relu:
      case OpKind::Sigmoid:
      case OpKind::HardSwish:
      case OpKind::GlobalAveragePool:
      case OpKind::AveragePool:
        if (n.inputs.size() != 1) fail_node(n, "needs exactly 1 input");
        break;
      case OpKind::HardSigmoid:
      case OpKind::Clip:
        if (n.inputs.size() != 1) fail_node(n, "needs exactly 1 input");
        if (std::isnan(n.attrs.alpha) || std::isnan(n.attrs.beta)) fail_node(n, "alpha and beta must not be NaN");
        if (n.op == OpKind::Clip && n.attrs.alpha > n.attrs.beta) fail_node(n, "min (alpha) must not exceed max (beta)");
        if (n.op == OpKind::HardSigmoid && !(std::isfinite(n.attrs.alpha) && std::isfinite(n.attrs.beta)))
          fail_node(n, "alpha and beta must be finite");
        break;
      case OpKind::Affine:
        if (n.inputs.size() != 1) fail_node(n, "needs exactly 1 input");
        if (n.weight.rank() != 1 || n.weight.dtype() != DType::f32 || n.weight.numel() < 1)
          fail_node(n, "weight (multiplier) must be f32 [C] or [1], is " + shape_str(n.weight.shape()));
        if (n.bias.shape() != n.weight.shape() || n.bias.dtype() != DType::f32)
          fail_node(n, "bias (addend) must be f32 with the weight's shape " + shape_str(n.weight.shape()) + ", is " +
                           shape_str(n.bias.shape()));
        break;
      case OpKind::Resize: {
        if (n.inputs.size() != 1) fail_node(n, "needs exactly 1 input");
        const OpAttrs& a = n.attrs;
        for (float sc : {a.scale_h, a.scale_w})
          if (!(sc > 0.f && sc <= kMaxResizeScale)) fail_node(n, "scales must be in (0, 1024]");
        if (a.out_h < 0 || a.out_w < 0 || a.out_h > kMaxResizeSide || a.out_w > kMaxResizeSide || (a.out_h > 0) != (a.out_w > 0))
          fail_node(n, "fixed output sizes must both be 0 (use the scales) or both in 1..2^20");
        break;
      }
      case OpKind::Pad:
        if (n.inputs.size() != 1) fail_node(n, "needs exactly 1 input");
        if (std::isnan(n.attrs.alpha)) fail_node(n, "the fill value must not be NaN");
        if (w.pad_top < 0 || w.pad_left < 0 || w.pad_bottom < 0 || w.pad_right < 0 || w.pad_top > kMaxPad ||
            w.pad_left > kMaxPad || w.pad_bottom > kMaxPad || w.pad_right > kMaxPad)
          fail_node(n, "pads must be 0..4096");
        break;
    }
    if (!n.has_tensors() && (!n.weight.empty() || !n.bias.empty())) fail_node(n, "this op carries no weight or bias");
    if (!is_conv_like(n.op) && n.quant.enabled) fail_node(n, "only Conv and ConvTranspose nodes can be INT8");
    if (n.op == OpKind::AveragePool && (w.groups != 1 || w.dilation_h != 1 || w.dilation_w != 1))
      fail_node(n, "AveragePool takes no groups or dilation");
    if (n.op == OpKind::AveragePool &&
        (2 * w.pad_top > w.kernel_h || 2 * w.pad_bottom > w.kernel_h || 2 * w.pad_left > w.kernel_w || 2 * w.pad_right > w.kernel_w))
      fail_node(n, "pad must be at most half the kernel (PyTorch rule)");
    if (is_windowed(n.op)) {
      if (w.kernel_h < 1 || w.kernel_w < 1 || w.kernel_h > 64 || w.kernel_w > 64) fail_node(n, "kernel must be 1..64");
      if (w.stride_h < 1 || w.stride_w < 1 || w.stride_h > 64 || w.stride_w > 64) fail_node(n, "stride must be 1..64");
      if (w.dilation_h < 1 || w.dilation_w < 1 || w.dilation_h > 64 || w.dilation_w > 64) fail_node(n, "dilation must be 1..64");
      if (w.pad_top < 0 || w.pad_left < 0 || w.pad_bottom < 0 || w.pad_right < 0 || w.pad_top > 64 || w.pad_left > 64 ||
          w.pad_bottom > 64 || w.pad_right > 64)
        fail_node(n, "padding must be 0..64");
      if (w.output_padding_h < 0 || w.output_padding_w < 0 || w.output_padding_h >= std::max(w.stride_h, w.dilation_h) ||
          w.output_padding_w >= std::max(w.stride_w, w.dilation_w))
        fail_node(n, "output padding must be smaller than stride or dilation");
    }
  }
  for (int v : outputs) {
    if (v < 0 || v >= nv || !defined[static_cast<size_t>(v)])
      throw Error(ErrorKind::InvalidFile, "graph output id " + std::to_string(v) + " is not produced by any node");
  }
}

std::vector<Shape> Graph::infer_shapes(const Shape& input_shape) const {
  if (input_shape.size() != 4) throw Error(ErrorKind::InvalidArgument, "graph input must be 4-D NCHW, got " + shape_str(input_shape));
  std::vector<Shape> shapes(static_cast<size_t>(num_values()));
  shapes[static_cast<size_t>(input)] = input_shape;
  auto bad = [&](const Node& n, const std::string& rule) {
    throw Error(ErrorKind::InvalidArgument, std::string("node `") + n.name + "` (" + op_kind_name(n.op) + ") for input " +
                                                 shape_str(input_shape) + ": " + rule);
  };
  for (const Node& n : nodes) {
    const Shape& x = shapes[static_cast<size_t>(n.inputs.at(0))];
    const Window2d& w = n.window;
    Shape out;
    switch (n.op) {
      case OpKind::Conv: {
        const int64_t ic = n.weight.dim(1) * w.groups;
        if (x[1] != ic) bad(n, "expects " + std::to_string(ic) + " input channels, got " + std::to_string(x[1]));
        out = {x[0], n.out_channels(), conv_out_size(x[2], w.kernel_h, w.stride_h, w.pad_top, w.pad_bottom, w.dilation_h),
               conv_out_size(x[3], w.kernel_w, w.stride_w, w.pad_left, w.pad_right, w.dilation_w)};
        break;
      }
      case OpKind::ConvTranspose: {
        if (x[1] != n.weight.dim(0)) bad(n, "expects " + std::to_string(n.weight.dim(0)) + " input channels, got " + std::to_string(x[1]));
        out = {x[0], n.out_channels(),
               deconv_out_size(x[2], w.kernel_h, w.stride_h, w.pad_top, w.pad_bottom, w.dilation_h, w.output_padding_h),
               deconv_out_size(x[3], w.kernel_w, w.stride_w, w.pad_left, w.pad_right, w.dilation_w, w.output_padding_w)};
        break;
      }
      case OpKind::MaxPool:
      case OpKind::AveragePool:
        out = {x[0], x[1], conv_out_size(x[2], w.kernel_h, w.stride_h, w.pad_top, w.pad_bottom, w.dilation_h),
               conv_out_size(x[3], w.kernel_w, w.stride_w, w.pad_left, w.pad_right, w.dilation_w)};
        break;
      case OpKind::Concat: {
        out = x;
        for (size_t i = 1; i < n.inputs.size(); ++i) {
          const Shape& y = shapes[static_cast<size_t>(n.inputs[i])];
          if (y[0] != x[0] || y[2] != x[2] || y[3] != x[3])
            bad(n, "input " + std::to_string(i) + " " + shape_str(y) + " does not match " + shape_str(x) +
                       " in N, H, W (the network needs input sides that are multiples of 32)");
          out[1] += y[1];
        }
        break;
      }
      case OpKind::Add:
      case OpKind::Relu:
      case OpKind::Sigmoid:
      case OpKind::HardSigmoid:
      case OpKind::HardSwish:
      case OpKind::Clip:
        out = x;
        if (n.op == OpKind::Add && shapes[static_cast<size_t>(n.inputs[1])] != x)
          bad(n, "operand shapes differ: " + shape_str(x) + " vs " + shape_str(shapes[static_cast<size_t>(n.inputs[1])]));
        break;
      case OpKind::Mul: {
        out = x;
        const Shape& y = shapes[static_cast<size_t>(n.inputs[1])];
        if (y != x && y != Shape{x[0], x[1], 1, 1})
          bad(n, "second operand " + shape_str(y) + " must be " + shape_str(x) + " or [N, C, 1, 1] of it");
        break;
      }
      case OpKind::Affine:
        out = x;
        if (n.weight.numel() != 1 && n.weight.numel() != x[1])
          bad(n, "has " + std::to_string(n.weight.numel()) + " per-channel constants for " + std::to_string(x[1]) + " channels");
        break;
      case OpKind::GlobalAveragePool:
        out = {x[0], x[1], 1, 1};
        break;
      case OpKind::Resize:
        out = {x[0], x[1], resize_out_size(x[2], n.attrs.scale_h, n.attrs.out_h),
               resize_out_size(x[3], n.attrs.scale_w, n.attrs.out_w)};
        if (out[2] > kMaxResizeSide || out[3] > kMaxResizeSide) bad(n, "output side above 2^20");
        break;
      case OpKind::Pad:
        out = {x[0], x[1], x[2] + w.pad_top + w.pad_bottom, x[3] + w.pad_left + w.pad_right};
        break;
    }
    if (out[2] <= 0 || out[3] <= 0) bad(n, "output would be empty " + shape_str(out) + " (input too small)");
    if (n.has_residual() && shapes[static_cast<size_t>(n.inputs[1])] != out)
      bad(n, "residual " + shape_str(shapes[static_cast<size_t>(n.inputs[1])]) + " does not match output " + shape_str(out));
    shapes[static_cast<size_t>(n.output)] = out;
  }
  return shapes;
}

int64_t Graph::count_macs(const Shape& input_shape) const {
  const std::vector<Shape> shapes = infer_shapes(input_shape);
  int64_t macs = 0;
  for (const Node& n : nodes) {
    const int64_t out_numel = shape_numel(shapes[static_cast<size_t>(n.output)]);
    const int64_t in_numel = shape_numel(shapes[static_cast<size_t>(n.inputs[0])]);
    switch (n.op) {
      case OpKind::Conv:  // per output element
        macs += out_numel * n.weight.dim(1) * n.weight.dim(2) * n.weight.dim(3);
        break;
      case OpKind::ConvTranspose:  // per input element
        macs += in_numel * n.weight.dim(1) * n.weight.dim(2) * n.weight.dim(3);
        break;
      case OpKind::AveragePool:
        macs += out_numel * n.window.kernel_h * n.window.kernel_w;
        break;
      case OpKind::GlobalAveragePool:
      case OpKind::Mul:
      case OpKind::Affine:
        macs += in_numel;
        break;
      case OpKind::Resize:
        if (n.attrs.resize_mode == ResizeMode::Linear) macs += 4 * out_numel;
        break;
      default:
        break;
    }
  }
  return macs;
}

void insert_nodes_before(Graph& graph, std::vector<std::vector<Node>> before) {
  std::vector<Node> nodes;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (i < before.size())
      for (Node& n : before[i]) nodes.push_back(std::move(n));
    nodes.push_back(std::move(graph.nodes[i]));
  }
  graph.nodes = std::move(nodes);
  graph.verify();
}

}  // namespace textq
