#include "ir/fold_pointwise.h"

#include <cstdint>

namespace textq {
namespace {

bool is_conv(const Node& n) { return n.op == OpKind::Conv || n.op == OpKind::ConvTranspose; }

bool is_pointwise(const Node& b) {
  const Window2d& w = b.window;
  return b.op == OpKind::Conv && !b.has_residual() && !b.quant.enabled && w.kernel_h == 1 && w.kernel_w == 1 &&
         w.stride_h == 1 && w.stride_w == 1 && w.pad_top == 0 && w.pad_left == 0 && w.pad_bottom == 0 &&
         w.pad_right == 0 && w.dilation_h == 1 && w.dilation_w == 1 && w.groups == 1;
}

// A and B as one node: weights sum_c B[o, c] * A[.., c, ..] in A's layout
// (Conv [C, IC, KH, KW] -> [O, IC, KH, KW]; ConvTranspose [IC, C, KH, KW] -> [IC, O, KH, KW]).
Node fuse(const Node& a, const Node& b) {
  const Tensor& wa = a.weight;
  const Tensor& wb = b.weight;  // [O, C, 1, 1]
  const int64_t o_n = wb.dim(0), c_n = wb.dim(1), taps = wa.dim(2) * wa.dim(3);
  const bool deconv = a.op == OpKind::ConvTranspose;
  const int64_t ic_n = deconv ? wa.dim(0) : wa.dim(1);
  const float* A = wa.data<float>();
  const float* B = wb.data<float>();
  Node f = a;
  f.weight = deconv ? Tensor(DType::f32, {ic_n, o_n, wa.dim(2), wa.dim(3)}) : Tensor(DType::f32, {o_n, ic_n, wa.dim(2), wa.dim(3)});
  float* W = f.weight.data<float>();
  for (int64_t o = 0; o < o_n; ++o)
    for (int64_t i = 0; i < ic_n; ++i)
      for (int64_t t = 0; t < taps; ++t) {
        double s = 0.0;
        for (int64_t c = 0; c < c_n; ++c) {
          const float av = deconv ? A[(i * c_n + c) * taps + t] : A[(c * ic_n + i) * taps + t];
          s += static_cast<double>(B[o * c_n + c]) * av;
        }
        (deconv ? W[(i * o_n + o) * taps + t] : W[(o * ic_n + i) * taps + t]) = static_cast<float>(s);
      }
  if (a.bias.empty() && b.bias.empty()) {
    f.bias = Tensor();
  } else {
    f.bias = Tensor(DType::f32, {o_n});
    for (int64_t o = 0; o < o_n; ++o) {
      double s = b.bias.empty() ? 0.0 : b.bias.data<float>()[o];
      if (!a.bias.empty())
        for (int64_t c = 0; c < c_n; ++c) s += static_cast<double>(B[o * c_n + c]) * a.bias.data<float>()[c];
      f.bias.data<float>()[o] = static_cast<float>(s);
    }
  }
  f.output = b.output;
  f.activation = b.activation;
  return f;
}

}  // namespace

Graph fold_pointwise_convs(const Graph& graph, std::vector<FoldedPair>* folded, bool only_if_cheaper,
                           const FoldFilter& accept) {
  Graph g = graph;
  const int nv = g.num_values();
  std::vector<int> readers(static_cast<size_t>(nv), 0);
  for (const Node& n : g.nodes)
    for (int v : n.inputs) ++readers[static_cast<size_t>(v)];
  std::vector<bool> is_output(static_cast<size_t>(nv), false);
  for (int v : g.outputs) is_output[static_cast<size_t>(v)] = true;

  std::vector<bool> dead_value(static_cast<size_t>(nv), false);
  std::vector<Node> kept;
  std::vector<bool> drop(g.nodes.size(), false);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (drop[i]) continue;
    Node& a = g.nodes[i];
    const size_t av = static_cast<size_t>(a.output);
    if (is_conv(a) && !a.quant.enabled && !a.has_residual() && a.activation == Activation::None && a.window.groups == 1 &&
        readers[av] == 1 && !is_output[av]) {
      for (size_t j = i + 1; j < g.nodes.size(); ++j) {
        const Node& b = g.nodes[j];
        if (b.inputs.empty() || b.inputs[0] != a.output) continue;
        const int64_t c = a.out_channels(), o = b.out_channels();
        if (is_pointwise(b) && b.weight.dim(1) == c && (o <= c || !only_if_cheaper) && (!accept || accept(a, b))) {
          if (folded) folded->push_back({a.name, b.name});
          a = fuse(a, b);  // b's readers come after b, so after a: order stays topological
          drop[j] = true;
          dead_value[av] = true;
        }
        break;
      }
    }
  }
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!drop[i]) kept.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(kept);

  // Renumber values without the removed ones.
  std::vector<int> remap(static_cast<size_t>(nv), -1);
  std::vector<std::string> names;
  for (int v = 0; v < nv; ++v)
    if (!dead_value[static_cast<size_t>(v)]) {
      remap[static_cast<size_t>(v)] = static_cast<int>(names.size());
      names.push_back(g.value_names[static_cast<size_t>(v)]);
    }
  g.value_names = std::move(names);
  g.input = remap[static_cast<size_t>(g.input)];
  for (int& v : g.outputs) v = remap[static_cast<size_t>(v)];
  for (Node& n : g.nodes) {
    for (int& v : n.inputs) v = remap[static_cast<size_t>(v)];
    n.output = remap[static_cast<size_t>(n.output)];
  }
  g.verify();
  return g;
}

}  // namespace textq
