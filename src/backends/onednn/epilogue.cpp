#include "backends/onednn/epilogue.h"

#include <algorithm>

namespace textq::onednn {

namespace {

bool fusable_link(const Node& n) {
  switch (n.op) {
    case OpKind::Sigmoid:
    case OpKind::HardSigmoid:
    case OpKind::HardSwish:
    case OpKind::Clip:
    case OpKind::Affine: return !n.quant.enabled && n.inputs.size() == 1;
    default: return false;
  }
}

// A Mul, or an Add without activation, of two values (a binary post-op).
bool is_binary_link(const Node& n) {
  return ((n.op == OpKind::Add && n.activation == Activation::None) || n.op == OpKind::Mul) && n.inputs.size() == 2 &&
         !n.quant.enabled;
}

// Whether value v exists before node ni runs (the graph input, or made by an earlier node).
bool made_before(const Graph& graph, int v, size_t ni) {
  const Node* p = graph.producer(v);
  return !p || static_cast<size_t>(p - graph.nodes.data()) < ni;
}

}  // namespace

Epilogue find_conv_epilogue(const Graph& graph, size_t ni, const std::vector<std::vector<size_t>>& readers,
                            bool binary_links) {
  Epilogue e;
  const Node& conv = graph.nodes[ni];
  if (conv.op != OpKind::Conv || conv.has_residual()) return e;
  int value = conv.output;
  for (;;) {
    const std::vector<size_t>& r = readers[static_cast<size_t>(value)];
    if (r.size() != 1 || graph.is_output(value)) break;
    const Node& link = graph.nodes[r[0]];
    int operand = -1;
    if (binary_links && is_binary_link(link)) {
      operand = link.inputs[0] == value ? link.inputs[1] : link.inputs[0];
      if (operand == value || !made_before(graph, operand, ni)) break;
    } else if (!fusable_link(link)) {
      break;
    }
    e.nodes.push_back(r[0]);
    e.operands.push_back(operand);
    value = link.output;
  }
  // The chain's result must leave through the plan's values, not as a graph output.
  while (!e.nodes.empty() && graph.is_output(graph.nodes[e.nodes.back()].output))
    e.nodes.pop_back(), e.operands.pop_back();
  return e;
}

Epilogue find_binary_epilogue(const Graph& graph, size_t ni, const std::vector<std::vector<size_t>>& readers) {
  Epilogue e;
  const Node& head = graph.nodes[ni];
  if (head.op != OpKind::Add && head.op != OpKind::Mul) return e;
  int value = head.output;
  for (;;) {
    const std::vector<size_t>& r = readers[static_cast<size_t>(value)];
    if (r.size() != 1 || graph.is_output(value)) break;
    const Node& link = graph.nodes[r[0]];
    if (!is_binary_link(link) || link.op != OpKind::Add) break;
    const int other = link.inputs[0] == value ? link.inputs[1] : link.inputs[0];
    if (other == value || !made_before(graph, other, ni)) break;
    e.nodes.push_back(r[0]);
    e.operands.push_back(other);
    value = link.output;
  }
  while (!e.nodes.empty() && graph.is_output(graph.nodes[e.nodes.back()].output)) e.nodes.pop_back(), e.operands.pop_back();
  return e;
}

Graph sink_binary_chains(const Graph& graph, bool convs) {
  const auto readers = graph.readers();
  std::vector<size_t> order(graph.nodes.size());  // node indices in the new order
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (size_t ni = graph.nodes.size(); ni-- > 0;) {
    const Node& n = graph.nodes[ni];
    const bool head = n.op == OpKind::Add || n.op == OpKind::Mul;
    const bool conv = convs && n.op == OpKind::Conv && !n.has_residual();
    if ((!head && !conv) || graph.is_output(n.output)) continue;
    const std::vector<size_t>& r = readers[static_cast<size_t>(n.output)];
    if (r.size() != 1) continue;
    const Node& reader = graph.nodes[r[0]];
    if (!is_binary_link(reader) || (head && reader.op != OpKind::Add)) continue;
    order.erase(std::find(order.begin(), order.end(), ni));
    order.insert(std::find(order.begin(), order.end(), r[0]), ni);
  }
  Graph out = graph;
  for (size_t i = 0; i < order.size(); ++i) out.nodes[i] = graph.nodes[order[i]];
  return out;
}

bool append_epilogue_post_ops(const Graph& graph, const Epilogue& e, size_t links, float result_multiplier,
                              const dnnl::engine& engine, dnnl::post_ops& ops, std::unordered_map<int, memory>& args,
                              std::vector<Tensor>& keep, const std::vector<memory::desc>& operand_mds,
                              std::vector<int>* binary_index) {
  if (binary_index) binary_index->assign(links, -1);
  using dnnl::algorithm;
  // oneDNN 2.6 computes a chain with two eltwise_linear post-ops wrongly
  // (brgconv_1x1 FP32 and INT8, jit_int8 depthwise: off by up to ~0.5 in f32
  // and tens of integer steps; tests/unit/onednn/test_onednn_epilogue.cpp),
  // so a chain holds at most one. The multiplier therefore rides on the last
  // eltwise post-op as its `scale` (dst = scale * eltwise(x), a separate
  // multiply, as the unfused reorder does); after a binary one it needs an
  // eltwise_linear of its own.
  int linears = 0;
  auto eltwise = [&](float scale, algorithm alg, float alpha, float beta) {
    linears += alg == algorithm::eltwise_linear;
    ops.append_eltwise(scale, alg, alpha, beta);
  };
  for (size_t i = 0; i < links; ++i) {
    const Node& n = graph.nodes[e.nodes[i]];
    const float scale = i + 1 == links ? result_multiplier : 1.f;
    switch (n.op) {
      case OpKind::Sigmoid: eltwise(scale, algorithm::eltwise_logistic, 0.f, 0.f); break;
      case OpKind::HardSigmoid:
        eltwise(1.f, algorithm::eltwise_linear, n.attrs.alpha, n.attrs.beta);
        eltwise(scale, algorithm::eltwise_clip_v2, 0.f, 1.f);
        break;
      case OpKind::HardSwish: eltwise(scale, algorithm::eltwise_hardswish, 0.f, 0.f); break;
      case OpKind::Clip: eltwise(scale, algorithm::eltwise_clip_v2, n.attrs.alpha, n.attrs.beta); break;
      case OpKind::Affine:
        if (n.weight.numel() == 1) {
          eltwise(scale, algorithm::eltwise_linear, n.weight.data<float>()[0], n.bias.data<float>()[0]);
        } else {
          const memory::desc cmd({1, n.weight.numel(), 1, 1}, Dt::f32, Tag::nchw);
          keep.push_back(n.weight);
          keep.push_back(n.bias);
          args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(ops.len()) | DNNL_ARG_SRC_1] =
              memory(cmd, engine, const_cast<void*>(n.weight.raw()));  // read only
          ops.append_binary(algorithm::binary_mul, cmd);
          args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(ops.len()) | DNNL_ARG_SRC_1] =
              memory(cmd, engine, const_cast<void*>(n.bias.raw()));
          ops.append_binary(algorithm::binary_add, cmd);
          if (scale != 1.f) eltwise(1.f, algorithm::eltwise_linear, scale, 0.f);
        }
        break;
      case OpKind::Mul:
      case OpKind::Add:
        if (!binary_index || i >= operand_mds.size())
          throw Error(ErrorKind::Internal, "conv epilogue: a binary link without its operand's layout");
        (*binary_index)[i] = ops.len();
        ops.append_binary(n.op == OpKind::Mul ? algorithm::binary_mul : algorithm::binary_add, operand_mds[i]);
        if (scale != 1.f) eltwise(1.f, algorithm::eltwise_linear, scale, 0.f);
        break;
      default: throw Error(ErrorKind::Internal, std::string("conv epilogue: unexpected op ") + op_kind_name(n.op));
    }
  }
  return linears <= 1;
}

}  // namespace textq::onednn
