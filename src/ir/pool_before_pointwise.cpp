#include "ir/pool_before_pointwise.h"

namespace textq {
namespace {

bool linear_pointwise(const Node& c) {
  const Window2d& w = c.window;
  return c.op == OpKind::Conv && !c.has_residual() && c.activation == Activation::None && w.kernel_h == 1 &&
         w.kernel_w == 1 && w.stride_h == 1 && w.stride_w == 1 && w.pad_top == 0 && w.pad_left == 0 &&
         w.pad_bottom == 0 && w.pad_right == 0 && w.dilation_h == 1 && w.dilation_w == 1 && w.groups == 1;
}

// Whether an INT8 conv reads exactly the integers its producer writes.
bool reads_producer_integers(const Graph& g, const Node& c) {
  const Node* p = g.producer(c.inputs[0]);
  return p && p->quant.enabled && p->quant.dst_type == c.quant.src_type && p->quant.dst_scale == c.quant.src_scale;
}

// C's weights as f32 (dequantized when INT8).
Tensor float_weights(const Node& c) {
  if (!c.quant.enabled) return c.weight;
  Tensor w(DType::f32, c.weight.shape());
  const int64_t oc = c.weight.dim(0), per = c.weight.numel() / oc;
  const int8_t* q = c.weight.data<int8_t>();
  for (int64_t o = 0; o < oc; ++o)
    for (int64_t i = 0; i < per; ++i)
      w.data<float>()[o * per + i] = static_cast<float>(q[o * per + i]) * c.quant.weight_scales[static_cast<size_t>(o)];
  return w;
}

}  // namespace

Graph pool_before_pointwise(const Graph& graph, std::vector<std::string>* rewritten) {
  Graph g = graph;
  std::vector<Node> nodes;
  nodes.reserve(graph.nodes.size());
  for (const Node& pool : graph.nodes) {
    const Node* c = pool.op == OpKind::GlobalAveragePool ? graph.producer(pool.inputs[0]) : nullptr;
    if (!c || !linear_pointwise(*c) || (c->quant.enabled && !reads_producer_integers(graph, *c))) {
      nodes.push_back(pool);
      continue;
    }
    Node mean = pool;
    mean.name = pool.name + ".input_mean";
    mean.inputs = {c->inputs[0]};
    mean.output = g.add_value(mean.name);
    Node pointwise;
    pointwise.name = pool.name + ".pointwise";
    pointwise.op = OpKind::Conv;
    pointwise.inputs = {mean.output};
    pointwise.window = c->window;
    pointwise.weight = float_weights(*c);
    pointwise.bias = c->bias;
    pointwise.output = pool.output;
    nodes.push_back(std::move(mean));
    nodes.push_back(std::move(pointwise));
    if (rewritten) rewritten->push_back(pool.name);
  }
  g.nodes = std::move(nodes);
  g.verify();
  return g;
}

}  // namespace textq
