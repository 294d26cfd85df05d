#include "ir/residual_gate.h"

namespace textq {

Graph fold_residual_gates(const Graph& graph, std::vector<std::string>* rewritten) {
  Graph g = graph;
  const auto readers = graph.readers();
  // Mul index -> the Add that reads it as x + x * g, and x.
  struct Skip {
    int add = -1, x = -1;
  };
  std::vector<Skip> skip_of(graph.nodes.size());
  std::vector<bool> drop(graph.nodes.size(), false);
  for (size_t mi = 0; mi < graph.nodes.size(); ++mi) {
    const Node& mul = graph.nodes[mi];
    if (mul.op != OpKind::Mul || mul.inputs.size() != 2 || mul.inputs[0] == mul.inputs[1] || graph.is_output(mul.output))
      continue;
    const std::vector<size_t>& r = readers[static_cast<size_t>(mul.output)];
    if (r.size() != 1) continue;
    const Node& add = graph.nodes[r[0]];
    if (add.op != OpKind::Add || add.activation != Activation::None || add.inputs.size() != 2) continue;
    const int x = add.inputs[0] == mul.output ? add.inputs[1] : add.inputs[0];
    if (x == mul.output || (mul.inputs[0] != x && mul.inputs[1] != x)) continue;
    // Only where the Mul then is x's one reader (a post-op of x's producer).
    if (readers[static_cast<size_t>(x)].size() != 2 || graph.is_output(x)) continue;
    skip_of[mi] = {static_cast<int>(r[0]), x};
    drop[r[0]] = true;
  }
  std::vector<Node> nodes;
  nodes.reserve(graph.nodes.size() + 1);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (drop[i]) continue;
    if (skip_of[i].add < 0) {
      nodes.push_back(graph.nodes[i]);
      continue;
    }
    const Node& add = graph.nodes[static_cast<size_t>(skip_of[i].add)];
    Node mul = graph.nodes[i];
    const int x = skip_of[i].x;
    const int gate = mul.inputs[0] == x ? mul.inputs[1] : mul.inputs[0];
    Node plus_one;
    plus_one.name = mul.name + ".plus_one";
    plus_one.op = OpKind::Affine;
    plus_one.inputs = {gate};
    plus_one.output = g.add_value(plus_one.name);
    plus_one.weight = Tensor(DType::f32, {1});
    plus_one.weight.data<float>()[0] = 1.f;
    plus_one.bias = Tensor(DType::f32, {1});
    plus_one.bias.data<float>()[0] = 1.f;
    mul.inputs = {x, plus_one.output};
    mul.output = add.output;
    nodes.push_back(std::move(plus_one));
    nodes.push_back(std::move(mul));
    if (rewritten) rewritten->push_back(add.name);
  }
  g.nodes = std::move(nodes);
  g.verify();
  return g;
}

}  // namespace textq
