// Per-op translation of ONNX nodes into IR nodes (docs/onnx_import.md lists
// every op, the attributes read and what is refused). Constant subgraphs are
// evaluated here (fold_constant); everything that touches the network input
// becomes IR nodes, simplified afterwards by ir_fusion.h.
#include <cmath>
#include <limits>

#include "importers/onnx/onnx_importer.h"

namespace textq::onnx_import {

namespace {

constexpr int64_t kMaxWindow = 1 << 16;

}  // namespace

// ------------------------------------------------------------------ helpers

void Importer::fail(const std::string& rule, ErrorKind kind) const {
  std::string where = file_;
  if (node_) where += ": node `" + label_ + "` (" + node_->op_type() + ", opset " + std::to_string(opset_) + ")";
  throw Error(kind, where + ": " + rule);
}

void Importer::fail_file(const std::string& rule, ErrorKind kind) const { throw Error(kind, file_ + ": " + rule); }

const onnx::AttributeProto* Importer::attr(const char* name) const {
  for (const onnx::AttributeProto& a : node_->attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t Importer::attr_int(const char* name, int64_t dflt) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a) return dflt;
  if (a->type() != onnx::AttributeProto::INT) fail(std::string("attribute ") + name + " must be an int");
  return a->i();
}

float Importer::attr_float(const char* name, float dflt) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a) return dflt;
  if (a->type() != onnx::AttributeProto::FLOAT) fail(std::string("attribute ") + name + " must be a float");
  if (!std::isfinite(a->f())) fail(std::string("attribute ") + name + " must be finite");
  return a->f();
}

std::string Importer::attr_string(const char* name, const std::string& dflt) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a) return dflt;
  if (a->type() != onnx::AttributeProto::STRING) fail(std::string("attribute ") + name + " must be a string");
  return a->s();
}

std::vector<int64_t> Importer::attr_ints(const char* name) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a) return {};
  if (a->type() != onnx::AttributeProto::INTS) fail(std::string("attribute ") + name + " must be a list of ints");
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

bool Importer::has_input(int k) const { return k < node_->input_size() && !node_->input(k).empty(); }

bool Importer::is_const(int k) const { return has_input(k) && consts_.count(node_->input(k)) > 0; }

const ConstTensor& Importer::const_input(int k) const {
  if (!has_input(k)) fail("input " + std::to_string(k) + " is missing");
  auto it = consts_.find(node_->input(k));
  if (it == consts_.end())
    fail("input " + std::to_string(k) + " `" + node_->input(k) + "` must be a constant (an initializer or Constant output)",
         ErrorKind::UnsupportedModel);
  return it->second;
}

int Importer::act_input(int k) const {
  if (!has_input(k)) fail("input " + std::to_string(k) + " is missing");
  auto it = acts_.find(node_->input(k));
  if (it != acts_.end()) return it->second;
  if (consts_.count(node_->input(k)))
    fail("input " + std::to_string(k) + " `" + node_->input(k) + "` is a constant where textq expects a tensor computed from the image",
         ErrorKind::UnsupportedModel);
  fail("input `" + node_->input(k) + "` is not produced by any node, initializer or graph input");
}

void Importer::require_inputs(int lo, int hi) const {
  const int n = node_->input_size();
  if (n < lo || n > hi)
    fail("has " + std::to_string(n) + " inputs, expected " + (lo == hi ? std::to_string(lo) : std::to_string(lo) + ".." + std::to_string(hi)));
}

void Importer::require_outputs(int max) const {
  if (node_->output_size() < 1) fail("has no output");
  for (int k = 1; k < node_->output_size(); ++k)
    if (k >= max && !node_->output(k).empty())
      fail("optional output " + std::to_string(k) + " `" + node_->output(k) + "` (training / indices outputs are not supported)",
           ErrorKind::UnsupportedModel);
}

void Importer::set_const_output(ConstTensor c) { consts_[node_->output(0)] = std::move(c); }

void Importer::set_act_output(int value, bool flat) {
  acts_[node_->output(0)] = value;
  if (flat_.size() <= static_cast<size_t>(value)) flat_.resize(static_cast<size_t>(value) + 1, false);
  flat_[static_cast<size_t>(value)] = flat;
}

void Importer::add_graph_input(const std::string& name) {
  const int v = graph_.add_value(name);
  graph_.input = v;
  acts_[name] = v;
  flat_.assign(static_cast<size_t>(v) + 1, false);
}

int Importer::output_value(const std::string& name) const {
  auto it = acts_.find(name);
  if (it != acts_.end()) return it->second;
  if (consts_.count(name)) fail_file("graph output `" + name + "` is a constant, not computed from the input", ErrorKind::UnsupportedModel);
  fail_file("graph output `" + name + "` is not produced by any node");
}

Node Importer::base_node(OpKind op) const {
  Node n;
  n.name = label_;
  n.op = op;
  return n;
}

int Importer::add_node(Node n) {
  n.output = graph_.add_value(node_->output(0));
  const int out = n.output;
  graph_.nodes.push_back(std::move(n));
  return out;
}

// ------------------------------------------------------------------ dispatch

void Importer::translate(const onnx::NodeProto& node, const std::string& label) {
  node_ = &node;
  label_ = label;
  const std::string& op = node.op_type();
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    fail("custom domain `" + node.domain() + "` is not supported", ErrorKind::UnsupportedModel);
  for (const onnx::AttributeProto& a : node.attribute())
    if (a.type() == onnx::AttributeProto::GRAPH || a.type() == onnx::AttributeProto::GRAPHS)
      fail("subgraph attributes (control flow) are not supported", ErrorKind::UnsupportedModel);
  if (op == "Constant") {
    require_inputs(0, 0);
    require_outputs(1);
    const onnx::AttributeProto* v = attr("value");
    ConstTensor c;
    if (v && v->type() == onnx::AttributeProto::TENSOR) {
      c = const_from_proto(v->t(), file_ + ": node `" + label_ + "` (Constant): value");
    } else if (const onnx::AttributeProto* f = attr("value_float")) {
      c.f = {attr_float("value_float", 0.f)};
      (void)f;
    } else if (const onnx::AttributeProto* fs = attr("value_floats")) {
      if (fs->type() != onnx::AttributeProto::FLOATS) fail("attribute value_floats must be floats");
      c.f.assign(fs->floats().begin(), fs->floats().end());
      c.dims = {static_cast<int64_t>(c.f.size())};
    } else if (attr("value_int")) {
      c.is_int = true, c.i = {attr_int("value_int", 0)};
    } else if (attr("value_ints")) {
      c.is_int = true, c.i = attr_ints("value_ints");
      c.dims = {static_cast<int64_t>(c.i.size())};
    } else {
      fail("needs a value, value_float(s) or value_int(s) attribute (sparse and string constants are not supported)",
           ErrorKind::UnsupportedModel);
    }
    set_const_output(std::move(c));
    return;
  }
  if (fold_constant()) return;
  if (op == "Identity" || op == "Dropout") {
    require_inputs(1, op == "Dropout" ? 3 : 1);
    require_outputs(1);
    if (op == "Dropout" && attr_int("is_test", 1) == 0) fail("Dropout in training mode", ErrorKind::UnsupportedModel);
    const int v = act_input(0);
    set_act_output(v, flat_[static_cast<size_t>(v)]);  // an alias, no node
    return;
  }
  if (op == "Conv") return conv(false);
  if (op == "ConvTranspose") return conv(true);
  if (op == "MaxPool") return pool(OpKind::MaxPool);
  if (op == "AveragePool") return pool(OpKind::AveragePool);
  if (op == "GlobalAveragePool") return pool(OpKind::GlobalAveragePool);
  if (op == "Relu") return unary(OpKind::Relu);
  if (op == "Sigmoid") return unary(OpKind::Sigmoid);
  if (op == "HardSigmoid") return unary(OpKind::HardSigmoid);
  if (op == "HardSwish") return unary(OpKind::HardSwish);
  if (op == "Clip") return clip();
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") return binary(op);
  if (op == "Concat") return concat();
  if (op == "Resize" || op == "Upsample") return resize();
  if (op == "Pad") return pad();
  if (op == "BatchNormalization") return batch_norm();
  if (op == "Reshape" || op == "Flatten" || op == "Shape" || op == "Squeeze" || op == "Unsqueeze")
    fail(op + " of a tensor computed from the image is not supported (only constant " + op + " chains are folded)",
         ErrorKind::UnsupportedModel);
  fail("operator " + op + " is not supported (docs/onnx_import.md lists the supported ones)", ErrorKind::UnsupportedModel);
}

// ------------------------------------------------------------------ convolution and pooling

Window2d Importer::window(bool transpose, int64_t kh, int64_t kw) {
  Window2d w;
  const std::string auto_pad = attr_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID")
    fail("auto_pad " + auto_pad + " is not supported (export with explicit pads)", ErrorKind::UnsupportedModel);
  const std::vector<int64_t> ks = attr_ints("kernel_shape");
  if (!ks.empty() && (ks.size() != 2 || ks[0] != kh || ks[1] != kw))
    fail("kernel_shape does not match the 2-D weight (" + std::to_string(kh) + "x" + std::to_string(kw) + ")");
  auto pair = [&](const char* name, int64_t dflt, int64_t lo) {
    std::vector<int64_t> v = attr_ints(name);
    if (v.empty()) v = {dflt, dflt};
    if (v.size() != 2) fail(std::string("attribute ") + name + " must have 2 entries (2-D only)", ErrorKind::UnsupportedModel);
    for (int64_t x : v)
      if (x < lo || x > kMaxWindow) fail(std::string("attribute ") + name + " value " + std::to_string(x) + " is outside " + std::to_string(lo) + "..65536");
    return v;
  };
  const std::vector<int64_t> st = pair("strides", 1, 1), dl = pair("dilations", 1, 1);
  std::vector<int64_t> pads = attr_ints("pads");
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (pads.size() != 4) fail("attribute pads must have 4 entries (2-D only)", ErrorKind::UnsupportedModel);
  for (int64_t p : pads)
    if (p < 0 || p > kMaxWindow) fail("pad " + std::to_string(p) + " is outside 0..65536 (negative pads are not supported)");
  if (kh < 1 || kw < 1 || kh > kMaxWindow || kw > kMaxWindow) fail("kernel " + std::to_string(kh) + "x" + std::to_string(kw) + " is outside 1..65536");
  w.kernel_h = static_cast<int>(kh), w.kernel_w = static_cast<int>(kw);
  w.stride_h = static_cast<int>(st[0]), w.stride_w = static_cast<int>(st[1]);
  w.dilation_h = static_cast<int>(dl[0]), w.dilation_w = static_cast<int>(dl[1]);
  w.pad_top = static_cast<int>(pads[0]), w.pad_left = static_cast<int>(pads[1]);
  w.pad_bottom = static_cast<int>(pads[2]), w.pad_right = static_cast<int>(pads[3]);
  if (transpose) {
    const std::vector<int64_t> op = pair("output_padding", 0, 0);
    w.output_padding_h = static_cast<int>(op[0]), w.output_padding_w = static_cast<int>(op[1]);
    if (attr("output_shape")) fail("output_shape is not supported (export with pads and output_padding)", ErrorKind::UnsupportedModel);
  }
  const int64_t group = attr_int("group", 1);
  if (group < 1 || group > kMaxWindow) fail("group " + std::to_string(group) + " is outside 1..65536");
  w.groups = static_cast<int>(group);
  return w;
}

void Importer::conv(bool transpose) {
  require_inputs(2, 3);
  require_outputs(1);
  const int x = act_input(0);
  const ConstTensor& wc = const_input(1);
  if (wc.dims.size() != 4) fail("weight " + shape_str(wc.dims) + " must be 4-D (2-D convolution only)", ErrorKind::UnsupportedModel);
  if (wc.is_int) fail("weight must be floating point");
  Node n = base_node(transpose ? OpKind::ConvTranspose : OpKind::Conv);
  n.inputs = {x};
  n.window = window(transpose, wc.dims[2], wc.dims[3]);
  const int64_t g = n.window.groups;
  if (!transpose && wc.dims[0] % g != 0) fail("weight has " + std::to_string(wc.dims[0]) + " output channels, not a multiple of group " + std::to_string(g));
  if (transpose && wc.dims[0] % g != 0) fail("weight has " + std::to_string(wc.dims[0]) + " input channels, not a multiple of group " + std::to_string(g));
  n.weight = to_tensor(wc, wc.dims);
  const int64_t oc = transpose ? wc.dims[1] * g : wc.dims[0];
  if (has_input(2)) {
    const ConstTensor& b = const_input(2);
    if (b.numel() != oc || b.dims.size() != 1) fail("bias " + shape_str(b.dims) + " must be [" + std::to_string(oc) + "]");
    n.bias = to_tensor(b, {oc});
  }
  const bool flat = flat_[static_cast<size_t>(x)] && !transpose && n.window.kernel_h == 1 && n.window.kernel_w == 1 &&
                    n.window.stride_h == 1 && n.window.stride_w == 1 && n.window.pad_top + n.window.pad_left +
                    n.window.pad_bottom + n.window.pad_right == 0;
  set_act_output(add_node(std::move(n)), flat);
}

void Importer::pool(OpKind op) {
  require_inputs(1, 1);
  require_outputs(1);
  const int x = act_input(0);
  Node n = base_node(op);
  n.inputs = {x};
  if (op != OpKind::GlobalAveragePool) {
    const std::vector<int64_t> ks = attr_ints("kernel_shape");
    if (ks.size() != 2) fail("kernel_shape must have 2 entries (2-D pooling only)", ErrorKind::UnsupportedModel);
    n.window = window(false, ks[0], ks[1]);
    if (attr_int("ceil_mode", 0) != 0) fail("ceil_mode 1 is not supported (floor mode only)", ErrorKind::UnsupportedModel);
    if (attr_int("storage_order", 0) != 0) fail("storage_order 1 is not supported", ErrorKind::UnsupportedModel);
    n.attrs.count_include_pad = attr_int("count_include_pad", 0) != 0;
    if (n.window.kernel_h > 64 || n.window.kernel_w > 64) fail("pooling kernel above 64 is not supported", ErrorKind::UnsupportedModel);
  }
  set_act_output(add_node(std::move(n)), op == OpKind::GlobalAveragePool);
}

// ------------------------------------------------------------------ elementwise

void Importer::unary(OpKind op) {
  require_inputs(1, 1);
  require_outputs(1);
  const int x = act_input(0);
  Node n = base_node(op);
  n.inputs = {x};
  if (op == OpKind::HardSigmoid) {
    n.attrs.alpha = attr_float("alpha", 0.2f);
    n.attrs.beta = attr_float("beta", 0.5f);
  }
  set_act_output(add_node(std::move(n)), flat_[static_cast<size_t>(x)]);
}

void Importer::clip() {
  float lo = std::numeric_limits<float>::lowest(), hi = std::numeric_limits<float>::max();
  if (opset_ < 11) {
    require_inputs(1, 1);
    lo = attr_float("min", lo), hi = attr_float("max", hi);
  } else {
    require_inputs(1, 3);
    auto bound = [&](int k, float dflt) {
      if (!has_input(k)) return dflt;
      const ConstTensor& c = const_input(k);
      if (c.numel() != 1) fail("input " + std::to_string(k) + " (a bound) must be a scalar");
      const double v = c.at(0);
      if (std::isnan(v)) fail("input " + std::to_string(k) + " (a bound) is NaN");
      return static_cast<float>(std::max<double>(std::numeric_limits<float>::lowest(), std::min<double>(std::numeric_limits<float>::max(), v)));
    };
    lo = bound(1, lo), hi = bound(2, hi);
  }
  require_outputs(1);
  if (lo > hi) fail("min " + std::to_string(lo) + " exceeds max " + std::to_string(hi));
  const int x = act_input(0);
  Node n = base_node(lo == 0.f && hi == std::numeric_limits<float>::max() ? OpKind::Relu : OpKind::Clip);
  n.inputs = {x};
  if (n.op == OpKind::Clip) n.attrs.alpha = lo, n.attrs.beta = hi;
  set_act_output(add_node(std::move(n)), flat_[static_cast<size_t>(x)]);
}

void Importer::binary(const std::string& op) {
  require_inputs(2, 2);
  require_outputs(1);
  const bool c0 = is_const(0), c1 = is_const(1);
  if (!c0 && !c1) {
    if (op == "Sub" || op == "Div") fail(op + " of two computed tensors is not supported", ErrorKind::UnsupportedModel);
    int a = act_input(0), b = act_input(1);
    const bool fa = flat_[static_cast<size_t>(a)], fb = flat_[static_cast<size_t>(b)];
    if (fa && !fb) std::swap(a, b);  // the broadcast [N, C, 1, 1] operand goes second
    if (op == "Add" && fa != fb) fail("Add broadcasting a [N, C, 1, 1] tensor is not supported", ErrorKind::UnsupportedModel);
    Node n = base_node(op == "Add" ? OpKind::Add : OpKind::Mul);
    n.inputs = {a, b};
    set_act_output(add_node(std::move(n)), fa && fb);
    return;
  }
  // One constant operand: an Affine node x * scale + shift (per channel or scalar).
  const int k = c0 ? 1 : 0;
  const int x = act_input(k);
  const ConstTensor& c = const_input(c0 ? 0 : 1);
  const size_t r = c.dims.size();
  const int64_t cn = c.numel();
  const bool per_channel = cn > 1 && ((r == 3 && c.dims[1] == 1 && c.dims[2] == 1) ||
                                      (r == 4 && c.dims[0] == 1 && c.dims[2] == 1 && c.dims[3] == 1));
  if (cn < 1 || (cn > 1 && !per_channel) || r > 4)
    fail("constant operand " + shape_str(c.dims) + " must be a scalar or per channel ([C, 1, 1] or [1, C, 1, 1])",
         ErrorKind::UnsupportedModel);
  Tensor scale(DType::f32, {cn}), shift(DType::f32, {cn});
  float* a = scale.data<float>();
  float* b = shift.data<float>();
  for (int64_t i = 0; i < cn; ++i) {
    const float v = static_cast<float>(c.at(i));
    a[i] = 1.f, b[i] = 0.f;
    if (op == "Add") b[i] = v;
    else if (op == "Mul") a[i] = v;
    else if (op == "Sub" && k == 0) b[i] = -v;        // x - c
    else if (op == "Sub") a[i] = -1.f, b[i] = v;      // c - x
    else if (op == "Div" && k == 0) a[i] = 1.f / v;   // x / c
    else fail("Div of a constant by a computed tensor is not supported", ErrorKind::UnsupportedModel);
    if (!std::isfinite(a[i]) || !std::isfinite(b[i])) fail("constant operand value " + std::to_string(v) + " gives a non-finite factor");
  }
  Node n = base_node(OpKind::Affine);
  n.inputs = {x};
  n.weight = scale;
  n.bias = shift;
  set_act_output(add_node(std::move(n)), flat_[static_cast<size_t>(x)]);
}

void Importer::concat() {
  if (node_->input_size() < 1) fail("has no inputs");
  require_outputs(1);
  const int64_t axis = attr_int("axis", 1);
  if (axis != 1 && axis != -3) fail("axis " + std::to_string(axis) + " is not the channel axis (only channel concat is supported)", ErrorKind::UnsupportedModel);
  Node n = base_node(OpKind::Concat);
  bool flat = true;
  for (int k = 0; k < node_->input_size(); ++k) {
    n.inputs.push_back(act_input(k));
    flat = flat && flat_[static_cast<size_t>(n.inputs.back())];
  }
  if (n.inputs.size() == 1) {  // a one-input concat is a copy
    set_act_output(n.inputs[0], flat);
    return;
  }
  set_act_output(add_node(std::move(n)), flat);
}

// ------------------------------------------------------------------ resize, pad, batch norm

void Importer::resize() {
  const bool upsample = node_->op_type() == "Upsample";
  require_outputs(1);
  const int x = act_input(0);
  Node n = base_node(OpKind::Resize);
  n.inputs = {x};
  OpAttrs& a = n.attrs;
  std::string mode = attr_string("mode", "nearest");
  if (mode == "bilinear") mode = "linear";  // Upsample-7 spelling
  if (mode != "nearest" && mode != "linear") fail("mode " + mode + " is not supported (nearest, linear)", ErrorKind::UnsupportedModel);
  a.resize_mode = mode == "linear" ? ResizeMode::Linear : ResizeMode::Nearest;
  // Scales from an attribute (Upsample-7), input 1 (Upsample-9, Resize-10) or input 2 (Resize-11+); sizes from input 3.
  const ConstTensor* scales = nullptr;
  const ConstTensor* sizes = nullptr;
  ConstTensor attr_scales;
  if (upsample && opset_ < 9) {
    require_inputs(1, 1);
    const onnx::AttributeProto* s = attr("scales");
    if (!s || s->type() != onnx::AttributeProto::FLOATS) fail("needs a scales attribute");
    attr_scales.f.assign(s->floats().begin(), s->floats().end());
    attr_scales.dims = {static_cast<int64_t>(attr_scales.f.size())};
    scales = &attr_scales;
  } else if (upsample || opset_ < 11) {
    require_inputs(2, 2);
    scales = &const_input(1);
  } else {
    require_inputs(1, 4);
    if (has_input(2) && const_input(2).numel() > 0) scales = &const_input(2);
    if (has_input(3) && const_input(3).numel() > 0) sizes = &const_input(3);
    if ((scales == nullptr) == (sizes == nullptr)) fail("needs exactly one of scales (input 2) and sizes (input 3) non-empty");
  }
  if (upsample || opset_ < 11) {
    a.coord_mode = CoordMode::Asymmetric;  // Upsample and Resize-10: index = floor(o / scale)
    a.nearest_round = NearestRound::Floor;
  } else {
    const std::string cm = attr_string("coordinate_transformation_mode", "half_pixel");
    if (cm == "half_pixel") a.coord_mode = CoordMode::HalfPixel;
    else if (cm == "pytorch_half_pixel") a.coord_mode = CoordMode::PytorchHalfPixel;
    else if (cm == "align_corners") a.coord_mode = CoordMode::AlignCorners;
    else if (cm == "asymmetric") a.coord_mode = CoordMode::Asymmetric;
    else fail("coordinate_transformation_mode " + cm + " is not supported", ErrorKind::UnsupportedModel);
    const std::string nm = attr_string("nearest_mode", "round_prefer_floor");
    if (nm == "round_prefer_floor") a.nearest_round = NearestRound::RoundPreferFloor;
    else if (nm == "round_prefer_ceil") a.nearest_round = NearestRound::RoundPreferCeil;
    else if (nm == "floor") a.nearest_round = NearestRound::Floor;
    else if (nm == "ceil") a.nearest_round = NearestRound::Ceil;
    else fail("nearest_mode " + nm + " is not supported", ErrorKind::UnsupportedModel);
  }
  const ConstTensor& s = scales ? *scales : *sizes;
  if (s.numel() != 4) fail(std::string(scales ? "scales" : "sizes") + " must have 4 entries (N, C, H, W), has " + std::to_string(s.numel()));
  if (scales) {
    if (s.at(0) != 1.0 || s.at(1) != 1.0) fail("scales for N and C must be 1", ErrorKind::UnsupportedModel);
    for (int k : {2, 3})
      if (!(s.at(k) > 0.0 && s.at(k) <= 1024.0)) fail("scale " + std::to_string(s.at(k)) + " is outside (0, 1024]");
    a.scale_h = static_cast<float>(s.at(2)), a.scale_w = static_cast<float>(s.at(3));
  } else {
    for (int k : {2, 3})
      if (s.int_at(k) < 1 || s.int_at(k) > (int64_t(1) << 20)) fail("size " + std::to_string(s.int_at(k)) + " is outside 1..2^20");
    a.out_h = s.int_at(2), a.out_w = s.int_at(3);
  }
  set_act_output(add_node(std::move(n)), false);
}

void Importer::pad() {
  require_outputs(1);
  const int x = act_input(0);
  const std::string mode = attr_string("mode", "constant");
  if (mode != "constant") fail("mode " + mode + " is not supported (constant only)", ErrorKind::UnsupportedModel);
  std::vector<int64_t> pads;
  float value = 0.f;
  if (opset_ < 11) {
    require_inputs(1, 1);
    pads = attr_ints("pads");
    value = attr_float("value", 0.f);
  } else {
    require_inputs(2, 3);
    const ConstTensor& p = const_input(1);
    for (int64_t k = 0; k < p.numel(); ++k) pads.push_back(p.int_at(k));
    if (has_input(2)) {
      const ConstTensor& v = const_input(2);
      if (v.numel() != 1) fail("constant_value must be a scalar");
      value = static_cast<float>(v.at(0));
    }
  }
  if (pads.size() != 8) fail("pads must have 8 entries (NCHW begins, then ends), has " + std::to_string(pads.size()));
  if (pads[0] || pads[1] || pads[4] || pads[5]) fail("padding N or C is not supported", ErrorKind::UnsupportedModel);
  for (int64_t p : pads)
    if (p < 0 || p > 4096) fail("pad " + std::to_string(p) + " is outside 0..4096 (negative pads crop: not supported)");
  if (std::isnan(value)) fail("constant_value is NaN");
  Node n = base_node(OpKind::Pad);
  n.inputs = {x};
  n.window.pad_top = static_cast<int>(pads[2]), n.window.pad_left = static_cast<int>(pads[3]);
  n.window.pad_bottom = static_cast<int>(pads[6]), n.window.pad_right = static_cast<int>(pads[7]);
  n.attrs.alpha = value;
  set_act_output(add_node(std::move(n)), false);
}

void Importer::batch_norm() {
  require_inputs(5, 5);
  require_outputs(1);
  if (attr_int("training_mode", 0) != 0) fail("training_mode 1 is not supported", ErrorKind::UnsupportedModel);
  const int x = act_input(0);
  const double eps = attr_float("epsilon", 1e-5f);
  const ConstTensor &g = const_input(1), &b = const_input(2), &m = const_input(3), &v = const_input(4);
  const int64_t c = g.numel();
  for (const ConstTensor* t : {&g, &b, &m, &v})
    if (t->dims.size() != 1 || t->numel() != c) fail("scale, B, mean and var must all be [C] with the same C");
  Tensor scale(DType::f32, {c}), shift(DType::f32, {c});
  for (int64_t i = 0; i < c; ++i) {
    const double var = v.at(i) + eps;
    if (!(var > 0.0)) fail("var + epsilon of channel " + std::to_string(i) + " is not positive");
    const double a = g.at(i) / std::sqrt(var);
    scale.data<float>()[i] = static_cast<float>(a);
    shift.data<float>()[i] = static_cast<float>(b.at(i) - m.at(i) * a);
    if (!std::isfinite(scale.data<float>()[i]) || !std::isfinite(shift.data<float>()[i]))
      fail("channel " + std::to_string(i) + " folds to a non-finite scale or shift");
  }
  Node n = base_node(OpKind::Affine);
  n.inputs = {x};
  n.weight = scale;
  n.bias = shift;
  set_act_output(add_node(std::move(n)), flat_[static_cast<size_t>(x)]);
}

}  // namespace textq::onnx_import
