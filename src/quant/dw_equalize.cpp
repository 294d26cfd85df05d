#include "quant/dw_equalize.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "runtime/executor.h"
#include "textq/error.h"

namespace textq::quant {
namespace {

// wanted[v]: value v is read (as src) only by depthwise convs outside `skip`.
std::vector<bool> equalizable_values(const Graph& graph, const std::vector<std::vector<size_t>>& readers,
                                     const std::set<std::string>& skip) {
  const int nv = graph.num_values();
  std::vector<bool> is_output(static_cast<size_t>(nv), false);
  for (int v : graph.outputs) is_output[v] = true;
  std::vector<bool> wanted(static_cast<size_t>(nv), false);
  for (int v = 0; v < nv; ++v) {
    if (v == graph.input || is_output[v] || readers[v].empty()) continue;
    bool ok = true;
    for (size_t ri : readers[v]) {
      const Node& c = graph.nodes[ri];
      ok = ok && c.is_depthwise_conv() && c.inputs[0] == v && !c.has_residual() && !skip.count(c.name);
    }
    wanted[v] = ok;
  }
  return wanted;
}

}  // namespace

bool has_equalizable_depthwise(const Graph& graph, const std::set<std::string>& skip) {
  const std::vector<bool> wanted = equalizable_values(graph, graph.readers(), skip);
  return std::find(wanted.begin(), wanted.end(), true) != wanted.end();
}

DwEqualizeResult equalize_depthwise_inputs(const Graph& graph, const CalibInputs& inputs, const std::set<std::string>& skip,
                                           const DwEqualizeOptions& options) {
  if (inputs.count == 0) throw Error(ErrorKind::InvalidArgument, "depthwise equalization: no calibration inputs");
  const int nv = graph.num_values();
  const std::vector<std::vector<size_t>> readers = graph.readers();
  // The values to equalize: read only (as src) by depthwise convs outside `skip`.
  const std::vector<bool> wanted = equalizable_values(graph, readers, skip);
  if (std::find(wanted.begin(), wanted.end(), true) == wanted.end()) {
    DwEqualizeResult none;
    none.graph = graph;
    return none;
  }
  // Per-channel min/max of those values over the calibration inputs (FP32 graph).
  std::vector<std::vector<double>> lo(static_cast<size_t>(nv)), hi(static_cast<size_t>(nv));
  ExecOptions eo;
  eo.threads = options.threads;
  auto exec = make_executor(graph, options.backend, eo);
  const NodeObserver observe = [&](const Node& n, const Tensor& t) {
    if (!wanted[n.output]) return;
    const int64_t batch = t.dim(0), ch = t.dim(1), plane = t.dim(2) * t.dim(3);
    auto& l = lo[n.output];
    auto& h = hi[n.output];
    if (l.empty()) l.assign(static_cast<size_t>(ch), std::numeric_limits<double>::infinity()), h.assign(l.size(), -l[0]);
    const float* x = t.data<float>();
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t c = 0; c < ch; ++c) {
        const float* p = x + (b * ch + c) * plane;
        for (int64_t j = 0; j < plane; ++j) {
          l[c] = std::min(l[c], static_cast<double>(p[j]));
          h[c] = std::max(h[c], static_cast<double>(p[j]));
        }
      }
  };
  for (size_t k = 0; k < inputs.count; ++k) exec->run(inputs.get(k), &observe);

  DwEqualizeResult r;
  Graph g = graph;  // tensors are shared handles: every changed tensor is a new one
  std::vector<std::vector<Node>> insert_before(graph.nodes.size());
  for (int v = 0; v < nv; ++v) {
    if (!wanted[v] || lo[v].empty()) continue;
    // Symmetric quantization: what one per-tensor scale has to cover is each channel's |x| max.
    const size_t ch = lo[v].size();
    std::vector<double> amax(ch);
    double widest = 0;
    for (size_t c = 0; c < ch; ++c) widest = std::max(widest, amax[c] = std::max(-lo[v][c], hi[v][c]));
    if (!(widest > 0) || !std::isfinite(widest)) continue;
    std::vector<float> k(ch);
    for (size_t c = 0; c < ch; ++c) {
      k[c] = static_cast<float>(amax[c] > 0 ? std::min(options.max_factor, widest / amax[c]) : 1.0);
      r.largest_factor = std::max(r.largest_factor, static_cast<double>(k[c]));
    }
    // Scale the producing Affine (every reader of it is one of the convs), else add one.
    const Node* prod = graph.producer(v);
    const size_t pi = static_cast<size_t>(prod - graph.nodes.data());
    int scaled = v;
    // Read the producer's weights from g: it may be a depthwise conv whose input was equalized above.
    const Node& cur = g.nodes[pi];
    if (prod->op == OpKind::Affine && (prod->weight.numel() == 1 || prod->weight.numel() == static_cast<int64_t>(ch))) {
      Tensor w(DType::f32, {static_cast<int64_t>(ch)}), b(DType::f32, {static_cast<int64_t>(ch)});
      const bool scalar = prod->weight.numel() == 1;
      for (size_t c = 0; c < ch; ++c) {
        w.data<float>()[c] = cur.weight.data<float>()[scalar ? 0 : c] * k[c];
        b.data<float>()[c] = cur.bias.data<float>()[scalar ? 0 : c] * k[c];
      }
      g.nodes[pi].weight = w;
      g.nodes[pi].bias = b;
    } else if (prod->op == OpKind::Conv && !prod->has_residual() && readers[v].size() >= 1 &&
               (prod->activation == Activation::None || prod->activation == Activation::Relu) &&
               prod->weight.dim(0) == static_cast<int64_t>(ch)) {
      // A conv (ReLU commutes with k > 0): scale its output channels, no new op.
      Tensor w(DType::f32, prod->weight.shape()), b(DType::f32, {static_cast<int64_t>(ch)});
      const int64_t per = prod->weight.numel() / static_cast<int64_t>(ch);
      for (size_t o = 0; o < ch; ++o) {
        for (int64_t j = 0; j < per; ++j) w.data<float>()[o * per + j] = cur.weight.data<float>()[o * per + j] * k[o];
        b.data<float>()[o] = (cur.bias.empty() ? 0.f : cur.bias.data<float>()[o]) * k[o];
      }
      g.nodes[pi].weight = w;
      g.nodes[pi].bias = b;
    } else {
      Node a;
      a.name = graph.value_names[v] + ".dw_equalize";
      a.op = OpKind::Affine;
      a.inputs = {v};
      scaled = a.output = g.add_value(graph.value_names[v] + ".dw_equalize");
      a.weight = Tensor(DType::f32, {static_cast<int64_t>(ch)});
      a.bias = Tensor(DType::f32, {static_cast<int64_t>(ch)});
      for (size_t c = 0; c < ch; ++c) a.weight.data<float>()[c] = k[c], a.bias.data<float>()[c] = 0.f;
      insert_before[readers[v].front()].push_back(std::move(a));
    }
    for (size_t ri : readers[v]) {
      Node& c = g.nodes[ri];
      c.inputs[0] = scaled;
      Tensor w(DType::f32, c.weight.shape());
      const int64_t per = c.weight.numel() / static_cast<int64_t>(ch);
      for (size_t o = 0; o < ch; ++o)
        for (int64_t j = 0; j < per; ++j)
          w.data<float>()[o * per + j] = c.weight.data<float>()[o * per + j] / k[o];
      c.weight = w;
      r.convs.push_back(c.name);
    }
  }
  insert_nodes_before(g, std::move(insert_before));
  r.graph = std::move(g);
  return r;
}

}  // namespace textq::quant
