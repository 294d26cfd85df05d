// INT8 stem convs on our own kernel (conv_int8_stem.h): a few input channels
// and a wide window, OC a multiple of 64, reading the nhwc integers of the
// producer (for the graph input, quantize_planes' conversion of the image)
// and writing nhwc in the node's dst type and scale, as the oneDNN primitive
// would. In unobserved runs (fuse_pools), when the conv's only reader is a max
// pool of at most 3x3 on a u8 result, the pool runs inside the same step and
// its node is marked fused: the conv output is never stored. Declines (plan
// untouched) for a residual, groups, dilation, unequal strides, a chain of
// elementwise nodes oneDNN would take as post-ops, a blocked producer, or a
// CPU without AVX-512 VNNI.
#include <omp.h>

#include "backends/onednn/conv_int8_stem.h"
#include "backends/onednn/epilogue.h"
#include "backends/onednn/plan_builder.h"

namespace textq::onednn {

bool PlanBuilder::lower_conv_int8_stem(size_t ni, const ConvQuant& cq) {
  const Node& n = graph_.nodes[ni];
  const Window2d& w = n.window;
  const Shape& src_shape = plan_->shapes[static_cast<size_t>(n.inputs[0])];
  const Shape& dst_shape = plan_->shapes[static_cast<size_t>(n.output)];
  const auto integer = [](Dt dt) { return dt == Dt::u8 || dt == Dt::s8; };
  if (!tuning_.int8_stem_kernel || n.op != OpKind::Conv || !cq.int8 || !integer(cq.src_dt) ||
      !integer(cq.dst_dt) || n.has_residual() ||
      w.groups != 1 || w.stride_h != w.stride_w || w.dilation_h != 1 || w.dilation_w != 1 ||
      (n.activation != Activation::None && n.activation != Activation::Relu) || !conv_int8_stem_supported())
    return false;

  StemGeometry geo;
  geo.n = src_shape[0], geo.ic = src_shape[1], geo.ih = src_shape[2], geo.iw = src_shape[3];
  geo.oc = dst_shape[1], geo.oh = dst_shape[2], geo.ow = dst_shape[3];
  geo.kh = w.kernel_h, geo.kw = w.kernel_w, geo.stride = w.stride_h, geo.pad_top = w.pad_top,
  geo.pad_left = w.pad_left;
  if (!conv_int8_stem_fits(geo)) return false;
  if (fuse_epilogues_ && !find_conv_epilogue(graph_, ni, readers_, tuning_.conv_binary_epilogues).nodes.empty())
    return false;  // oneDNN runs the chain as post-ops
  // The graph input arrives as f32 NCHW (quantized to nhwc on the way in);
  // any other producer must already be nhwc, or a reorder would come first.
  if (n.inputs[0] != graph_.input &&
      activation_tag(plan_->values[static_cast<size_t>(n.inputs[0])].get_desc()) != Tag::nhwc)
    return false;

  // The max pool reading this conv, when it is the only reader and fits.
  int pool_node = -1;
  const std::vector<size_t>& readers = readers_[static_cast<size_t>(n.output)];
  if (fuse_pools_ && cq.dst_dt == Dt::u8 && readers.size() == 1 && !is_graph_output(n.output)) {
    const Node& p = graph_.nodes[readers[0]];
    const Window2d& pw = p.window;
    const Shape& pool_shape = plan_->shapes[static_cast<size_t>(p.output)];
    StemGeometry with_pool = geo;
    with_pool.pool = true;
    with_pool.pool_k = pw.kernel_h, with_pool.pool_stride = pw.stride_h, with_pool.pool_pad = pw.pad_top;
    with_pool.ph = pool_shape[2], with_pool.pw = pool_shape[3];
    if (p.op == OpKind::MaxPool && fused_into_[readers[0]] < 0 && pw.kernel_h == pw.kernel_w &&
        pw.stride_h == pw.stride_w && pw.pad_top == pw.pad_left && pw.dilation_h == 1 && pw.dilation_w == 1 &&
        conv_int8_stem_fits(with_pool)) {
      geo = with_pool;
      pool_node = static_cast<int>(readers[0]);
    }
  }

  const int64_t weight_bytes = conv_int8_stem_weight_count(geo.oc, geo.ic, geo.kh, geo.kw);
  const memory weights = packed_weights(ni, memory::desc({weight_bytes}, Dt::s8, Tag::x),
                                        [&] { return conv_int8_stem_weights(n.weight); });
  const memory src = value_as(n.inputs[0], memory::desc(to_dims(src_shape), cq.src_dt, Tag::nhwc), cq.src_scale);
  const int out = pool_node >= 0 ? graph_.nodes[static_cast<size_t>(pool_node)].output : n.output;
  const memory dst =
      define_value(out, memory::desc(to_dims(plan_->shapes[static_cast<size_t>(out)]), cq.dst_dt, Tag::nhwc));
  plan_->scales[static_cast<size_t>(out)] = cq.dst_scale;  // max commutes with the positive scale
  if (pool_node >= 0) fused_into_[static_cast<size_t>(pool_node)] = static_cast<int>(ni);

  const int threads = omp_get_max_threads();  // the executor set the team size before planning
  const memory scratch = scratch_memory(conv_int8_stem_scratch_bytes(geo, threads));

  Step step;
  const Int8KernelParams params = int8_kernel_params(n, cq);
  step.run = [geo, threads, src, weights, params, dst, scratch] {
    conv_int8_stem_run(geo, threads, src.get_data_handle(), params.src_type,
                       static_cast<const int8_t*>(weights.get_data_handle()), params.epilogue(), dst.get_data_handle(),
                       static_cast<uint8_t*>(scratch.get_data_handle()));
  };
  plan_->steps.push_back(std::move(step));
  plan_->nodes[ni].impl = pool_node >= 0 ? "conv_int8_stem:avx512_vnni + max pool" : "conv_int8_stem:avx512_vnni";
  return true;
}

}  // namespace textq::onednn
