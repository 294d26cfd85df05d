// Elementwise lowering of the ONNX-import ops, all in f32 (an INT8
// producer's value is dequantized on the way in), in the producer's layout:
//   Sigmoid      eltwise_logistic
//   HardSigmoid  eltwise_linear(alpha, beta), then eltwise_clip_v2(0, 1) in place
//   HardSwish    eltwise_hardswish (x * relu6(x + 3) / 6)
//   Clip         eltwise_clip_v2(min, max)
//   Affine       eltwise_linear(scale, shift) for scalars; per channel a
//                binary_mul by scale [1, C, 1, 1] with a binary_add post-op of shift
// (Mul and Add: lower_binary.cpp.)
#include "backends/onednn/plan_builder.h"

namespace textq::onednn {

namespace {

struct EltwiseStep {
  dnnl::algorithm alg = dnnl::algorithm::undef;
  float alpha = 0.f, beta = 0.f;
};

}  // namespace

void PlanBuilder::lower_eltwise(size_t ni) {
  const Node& n = graph_.nodes[ni];
  const int in = n.inputs[0];
  const memory src = value_as(in, retype(plan_->values[static_cast<size_t>(in)].get_desc(), Dt::f32));
  const memory::desc md = src.get_desc();

  if (n.op == OpKind::Affine && n.weight.numel() != 1) {
    const int64_t c = n.weight.numel();
    const memory::desc cmd({1, c, 1, 1}, Dt::f32, Tag::nchw);
    plan_->keep.push_back(n.weight);
    plan_->keep.push_back(n.bias);
    const memory scale(cmd, ctx_.engine, const_cast<void*>(n.weight.raw()));  // read only
    const memory shift(cmd, ctx_.engine, const_cast<void*>(n.bias.raw()));
    dnnl::post_ops ops;
    ops.append_binary(dnnl::algorithm::binary_add, cmd);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    dnnl::binary::primitive_desc pd(dnnl::binary::desc(dnnl::algorithm::binary_mul, md, cmd, md), attr, ctx_.engine);
    plan_->nodes[ni].impl = pd.impl_info_str();
    memory dst = define_value(n.output, pd.dst_desc());
    add_step(dnnl::binary(pd), {{DNNL_ARG_SRC_0, src},
                                {DNNL_ARG_SRC_1, scale},
                                {DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, shift},
                                {DNNL_ARG_DST, dst}});
    return;
  }

  // At most two steps; a fixed array (not a vector assigned from a braced
  // list, which GCC 12 misreads as a memmove to null under -Wnonnull).
  EltwiseStep steps[2];
  size_t count = 1;
  switch (n.op) {
    case OpKind::Sigmoid: steps[0] = {dnnl::algorithm::eltwise_logistic, 0.f, 0.f}; break;
    case OpKind::HardSigmoid:
      steps[0] = {dnnl::algorithm::eltwise_linear, n.attrs.alpha, n.attrs.beta};
      steps[1] = {dnnl::algorithm::eltwise_clip_v2, 0.f, 1.f};
      count = 2;
      break;
    case OpKind::HardSwish: steps[0] = {dnnl::algorithm::eltwise_hardswish, 0.f, 0.f}; break;
    case OpKind::Clip: steps[0] = {dnnl::algorithm::eltwise_clip_v2, n.attrs.alpha, n.attrs.beta}; break;
    case OpKind::Affine:
      steps[0] = {dnnl::algorithm::eltwise_linear, n.weight.data<float>()[0], n.bias.data<float>()[0]};
      break;
    default: throw Error(ErrorKind::Internal, std::string("lower_eltwise: unexpected op ") + op_kind_name(n.op));
  }
  memory dst;
  for (size_t i = 0; i < count; ++i) {
    const auto prop = dnnl::prop_kind::forward_inference;
    dnnl::eltwise_forward::primitive_desc pd(dnnl::eltwise_forward::desc(prop, steps[i].alg, md, steps[i].alpha, steps[i].beta),
                                             ctx_.engine);
    if (i == 0) {
      plan_->nodes[ni].impl = pd.impl_info_str();
      dst = define_value(n.output, pd.dst_desc());
      add_step(dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    } else {
      add_step(dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, dst}, {DNNL_ARG_DST, dst}});  // in place
    }
  }
}

}  // namespace textq::onednn
