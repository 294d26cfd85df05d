#include "quant/nonneg_shift.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "textq/error.h"

namespace textq::quant {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kHardSwishMin = -0.375;  // x * clamp(x/6 + 1/2, 0, 1) at x = -1.5

bool has_padding(const Window2d& w) { return w.pad_top || w.pad_left || w.pad_bottom || w.pad_right; }

// min over channels of w * lb + b for an Affine with every w >= 0; -inf if unknown.
double affine_lower_bound(const Node& n, double lb) {
  const float* w = n.weight.data<float>();
  const float* b = n.bias.data<float>();
  double out = kInf;
  for (int64_t c = 0; c < n.weight.numel(); ++c) {
    if (!(w[c] >= 0.f)) return -kInf;
    if (w[c] > 0.f && lb == -kInf) return -kInf;
    out = std::min(out, (w[c] > 0.f ? static_cast<double>(w[c]) * lb : 0.0) + static_cast<double>(b[c]));
  }
  return out;
}

}  // namespace

std::vector<double> value_lower_bounds(const Graph& graph) {
  std::vector<double> lb(static_cast<size_t>(graph.num_values()), -kInf);
  for (const Node& n : graph.nodes) {
    double& out = lb[n.output];
    const double in = n.inputs.empty() ? -kInf : lb[n.inputs[0]];
    if (n.op == OpKind::Relu || n.activation == Activation::Relu || n.op == OpKind::Sigmoid ||
        n.op == OpKind::HardSigmoid || (n.op == OpKind::Clip && n.attrs.alpha >= 0.f))
      out = 0.0;
    else if (n.op == OpKind::HardSwish)
      out = kHardSwishMin;
    else if (n.op == OpKind::Affine)
      out = affine_lower_bound(n, in);
    else if (n.op == OpKind::Pad)
      out = std::min(in, static_cast<double>(n.attrs.alpha));
    else if (n.op == OpKind::MaxPool)
      out = in;
    else if (n.op == OpKind::Concat) {
      out = kInf;
      for (int v : n.inputs) out = std::min(out, lb[v]);
    }
  }
  return lb;
}

NonnegShiftResult shift_hardswish_inputs(const Graph& graph, const std::set<std::string>& skip) {
  const int nv = graph.num_values();
  const std::vector<std::vector<size_t>> readers = graph.readers();
  std::vector<bool> is_output(static_cast<size_t>(nv), false);
  for (int v : graph.outputs) is_output[v] = true;
  const std::vector<double> lb = value_lower_bounds(graph);

  NonnegShiftResult r;
  Graph g = graph;  // tensors are shared handles: every changed bias is a new tensor
  std::vector<std::vector<Node>> insert_before(graph.nodes.size());  // new nodes to put before node i
  for (size_t pi = 0; pi < graph.nodes.size(); ++pi) {
    const Node& prod = graph.nodes[pi];
    const int v = prod.output;
    // A bounded negative tail (HardSwish, possibly through a positive Affine).
    if (!(lb[v] < 0.0 && lb[v] > -kInf) || is_output[v] || readers[v].empty()) continue;
    bool ok = true;
    for (size_t ri : readers[v]) {
      const Node& c = graph.nodes[ri];
      ok = ok && c.op == OpKind::Conv && c.inputs[0] == v && !skip.count(c.name) && !(c.has_residual() && c.inputs[1] == v);
    }
    if (!ok) continue;
    int shifted = v;  // the value the convs read after the shift
    double shift = 0;
    if (prod.op == OpKind::Affine) {
      // Raise the addend: every channel by the same s (one Pad fill below), rounded up.
      const double in_lb = lb[prod.inputs[0]];
      const float* w = prod.weight.data<float>();
      const float* b = prod.bias.data<float>();
      const double s = -lb[v];
      Tensor nb(DType::f32, prod.bias.shape());
      for (int64_t c = 0; c < prod.bias.numel(); ++c) {
        float x = static_cast<float>(static_cast<double>(b[c]) + s);
        while (static_cast<double>(w[c]) * in_lb + static_cast<double>(x) < 0.0)
          x = std::nextafter(x, std::numeric_limits<float>::infinity());
        nb.data<float>()[c] = x;
      }
      shift = static_cast<double>(nb.data<float>()[0]) - static_cast<double>(b[0]);  // the others differ by rounding
      g.nodes[pi].bias = nb;
    } else {
      // A new Affine x + s after the producer (e.g. a HardSwish read by a conv
      // that absorbed the model's own affine).
      float s = static_cast<float>(-lb[v]);
      while (lb[v] + static_cast<double>(s) < 0.0) s = std::nextafter(s, std::numeric_limits<float>::infinity());
      Node a;
      a.name = prod.name + ".nonneg_shift";
      a.op = OpKind::Affine;
      a.inputs = {v};
      shifted = a.output = g.add_value(graph.value_names[v] + ".nonneg_shift");
      a.weight = Tensor(DType::f32, {1});
      a.weight.data<float>()[0] = 1.f;
      a.bias = Tensor(DType::f32, {1});
      a.bias.data<float>()[0] = s;
      shift = s;
      insert_before[readers[v].front()].push_back(std::move(a));
    }
    for (size_t ri : readers[v]) {
      Node& c = g.nodes[ri];
      c.inputs[0] = shifted;
      const int64_t oc = c.out_channels();
      const int64_t per_oc = c.weight.numel() / oc;
      Tensor cb(DType::f32, {oc});
      for (int64_t o = 0; o < oc; ++o) {
        double sum = 0;
        for (int64_t j = 0; j < per_oc; ++j) sum += c.weight.data<float>()[o * per_oc + j];
        const double old = c.bias.empty() ? 0.0 : c.bias.data<float>()[o];
        cb.data<float>()[o] = static_cast<float>(old - shift * sum);
      }
      c.bias = cb;
      if (has_padding(c.window)) {
        Node p;
        p.name = c.name + ".nonneg_pad";
        p.op = OpKind::Pad;
        p.inputs = {shifted};
        p.output = g.add_value(c.name + ".nonneg_pad");
        p.window.pad_top = c.window.pad_top, p.window.pad_left = c.window.pad_left;
        p.window.pad_bottom = c.window.pad_bottom, p.window.pad_right = c.window.pad_right;
        p.attrs.alpha = static_cast<float>(shift);  // the shifted image of the conv's zero padding
        c.inputs[0] = p.output;
        c.window.pad_top = c.window.pad_left = c.window.pad_bottom = c.window.pad_right = 0;
        insert_before[ri].push_back(std::move(p));
        ++r.pads_added;
      }
      r.shifted_convs.push_back(c.name);
    }
  }
  insert_nodes_before(g, std::move(insert_before));
  r.graph = std::move(g);
  return r;
}

}  // namespace textq::quant
