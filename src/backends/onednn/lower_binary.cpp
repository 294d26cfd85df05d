// Add and Mul lowering: one binary primitive in f32 (an INT8 producer's value
// is dequantized on the way in), in the first operand's layout; Add's second
// operand is converted to it (same layout on both sides keeps the jit
// kernel), Mul's [N, C, 1, 1] gate is read plain and broadcast over H, W; an
// Add's ReLU is an eltwise post-op. When fusing (unobserved runs), the Adds
// that follow (epilogue.h: a squeeze-excitation tail x * gate + x, then maybe
// the FPN's x + upsampled) become binary_add post-ops, and when every reader
// of the result is an INT8 conv agreeing on type and scale the primitive
// writes those integers (times 1 / scale last, then round and saturate).
#include "backends/onednn/epilogue.h"
#include "backends/onednn/plan_builder.h"

namespace textq::onednn {

void PlanBuilder::lower_add(size_t ni) {
  const Node& n = graph_.nodes[ni];
  const memory::desc md = retype(plan_->values[static_cast<size_t>(n.inputs[0])].get_desc(), Dt::f32);
  lower_binary(ni, dnnl::algorithm::binary_add, value_as(n.inputs[0], md), value_as(n.inputs[1], md));
}

void PlanBuilder::lower_mul(size_t ni) {
  const Node& n = graph_.nodes[ni];
  const memory::desc md = retype(plan_->values[static_cast<size_t>(n.inputs[0])].get_desc(), Dt::f32);
  const Shape& bs = plan_->shapes[static_cast<size_t>(n.inputs[1])];
  const bool broadcast = bs != plan_->shapes[static_cast<size_t>(n.inputs[0])];
  // A [N, C, 1, 1] gate is tiny: plain layout keeps the broadcast kernel simple.
  lower_binary(ni, dnnl::algorithm::binary_mul, value_as(n.inputs[0], md), value_as(n.inputs[1], broadcast ? plain_nchw(bs) : md));
}

void PlanBuilder::lower_binary(size_t ni, dnnl::algorithm alg, const memory& a, const memory& b) {
  const Node& n = graph_.nodes[ni];
  const memory::desc md = a.get_desc();
  const Epilogue epi = fuse_epilogues_ ? find_binary_epilogue(graph_, ni, readers_) : Epilogue{};
  // Tries in order: the longest prefix of the chain (maybe none) with an
  // integer dst for the readers of its result when they allow one, else f32;
  // last the plain f32 node. The first a fast kernel runs is kept; the
  // operands of the fused Adds are converted only then.
  struct Try {
    size_t links;
    bool integer;
  };
  std::vector<Try> tries;
  for (size_t links = epi.nodes.size() + 1; links-- > 0;) tries.push_back({links, fuse_epilogues_});
  tries.push_back({0, false});
  for (size_t t = 0; t < tries.size(); ++t) {
    const size_t links = tries[t].links;
    const bool last = t + 1 == tries.size();
    const int result = links ? graph_.nodes[epi.nodes[links - 1]].output : n.output;
    Dt dt = Dt::f32;
    float scale = 1.f;
    if (tries[t].integer) {
      if (const auto want = int8_readers_type(result))
        dt = want->first, scale = want->second;
      else if (links == 0)
        continue;  // the plain node comes last anyway
    }
    dnnl::post_ops ops;
    if (n.activation == Activation::Relu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    std::vector<int> operand_index;
    for (size_t k = 0; k < links; ++k) {
      operand_index.push_back(ops.len());
      ops.append_binary(dnnl::algorithm::binary_add, md);
    }
    if (scale != 1.f) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, 1.f / scale, 0.f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    dnnl::binary::primitive_desc pd;
    try {
      pd = dnnl::binary::primitive_desc(dnnl::binary::desc(alg, md, b.get_desc(), retype(md, dt)), attr, ctx_.engine);
    } catch (const dnnl::error& e) {
      if (last || e.status != dnnl_unimplemented) throw;
      continue;
    }
    const std::string impl = pd.impl_info_str();
    if (!last && impl.rfind("ref", 0) == 0) continue;
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, b}};
    for (size_t k = 0; k < links; ++k) {
      fused_into_[epi.nodes[k]] = static_cast<int>(ni);
      args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(operand_index[k]) | DNNL_ARG_SRC_1] = value_as(epi.operands[k], md);
    }
    plan_->nodes[ni].impl = impl;
    args[DNNL_ARG_DST] = define_value(result, pd.dst_desc());
    plan_->scales[static_cast<size_t>(result)] = scale;
    add_step(dnnl::binary(pd), std::move(args));
    return;
  }
}

}  // namespace textq::onednn
