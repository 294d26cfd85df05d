// AveragePool and GlobalAveragePool lowering: pooling_v2 in f32 (averaging
// integers would round every mean to the integer grid), in the producer's
// layout. GlobalAveragePool is one window covering the whole plane.
#include "backends/onednn/plan_builder.h"

namespace textq::onednn {

void PlanBuilder::lower_avg_pool(size_t ni) {
  const Node& n = graph_.nodes[ni];
  const int in = n.inputs[0];
  const memory src = value_as(in, retype(plan_->values[static_cast<size_t>(in)].get_desc(), Dt::f32));
  const Shape& x = plan_->shapes[static_cast<size_t>(in)];
  Window2d w = n.window;
  if (n.op == OpKind::GlobalAveragePool) {
    w = Window2d();
    w.kernel_h = static_cast<int>(x[2]), w.kernel_w = static_cast<int>(x[3]);
    w.stride_h = w.kernel_h, w.stride_w = w.kernel_w;
  }
  const dnnl::algorithm alg = n.op == OpKind::AveragePool && n.attrs.count_include_pad
                                  ? dnnl::algorithm::pooling_avg_include_padding
                                  : dnnl::algorithm::pooling_avg_exclude_padding;
  const memory::desc dst_any(to_dims(plan_->shapes[static_cast<size_t>(n.output)]), Dt::f32, Tag::any);
  dnnl::pooling_v2_forward::desc d(dnnl::prop_kind::forward_inference, alg, src.get_desc(), dst_any,
                                   {w.stride_h, w.stride_w}, {w.kernel_h, w.kernel_w}, {0, 0},
                                   {w.pad_top, w.pad_left}, {w.pad_bottom, w.pad_right});
  dnnl::pooling_v2_forward::primitive_desc pd(d, ctx_.engine);
  plan_->nodes[ni].impl = pd.impl_info_str();
  memory dst = define_value(n.output, pd.dst_desc());
  add_step(dnnl::pooling_v2_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
}

}  // namespace textq::onednn
