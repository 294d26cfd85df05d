// INT8 convs with 8 or 24 output channels on our own kernel
// (conv_int8_narrow.h): ymm lanes of 8 channels instead of oneDNN's 16-wide
// blocks, a third of which would be padding at 24. Reads the producer's nhwc
// integers in place and writes nhwc in the node's dst type and scale, as the
// oneDNN primitive would. Declines (plan untouched) for a residual, a chain of
// elementwise nodes the conv would take as post-ops (epilogue.h), strides or
// groups, a producer not in nhwc, or a CPU without AVX-512 VNNI.
#include <omp.h>

#include "backends/onednn/conv_int8_narrow.h"
#include "backends/onednn/epilogue.h"
#include "backends/onednn/plan_builder.h"

namespace textq::onednn {

bool PlanBuilder::lower_conv_int8_narrow(size_t ni, const ConvQuant& cq) {
  const Node& n = graph_.nodes[ni];
  const Window2d& w = n.window;
  const Shape& src_shape = plan_->shapes[static_cast<size_t>(n.inputs[0])];
  const Shape& dst_shape = plan_->shapes[static_cast<size_t>(n.output)];
  if (!tuning_.int8_narrow_kernel || n.op != OpKind::Conv || !cq.int8 || n.has_residual() || w.groups != 1 ||
      w.stride_h != 1 || w.stride_w != 1 || w.dilation_h != 1 || w.dilation_w != 1 || n.inputs[0] == graph_.input ||
      (n.activation != Activation::None && n.activation != Activation::Relu) ||
      !conv_int8_narrow_fits(src_shape[1], dst_shape[1]) || !conv_int8_narrow_supported())
    return false;
  if (fuse_epilogues_ && !find_conv_epilogue(graph_, ni, readers_, tuning_.conv_binary_epilogues).nodes.empty())
    return false;  // oneDNN runs the chain as post-ops
  // Reads the producer's nhwc in place: another layout would need a reorder first.
  if (activation_tag(plan_->values[static_cast<size_t>(n.inputs[0])].get_desc()) != Tag::nhwc) return false;

  ConvNarrowGeometry geo;
  geo.n = src_shape[0], geo.ic = src_shape[1], geo.ih = src_shape[2], geo.iw = src_shape[3];
  geo.oc = dst_shape[1], geo.oh = dst_shape[2], geo.ow = dst_shape[3];
  geo.kh = w.kernel_h, geo.kw = w.kernel_w, geo.pad_top = w.pad_top, geo.pad_left = w.pad_left;

  const memory weights = packed_weights(ni, memory::desc({n.weight.numel()}, Dt::s8, Tag::x),
                                       [&] { return conv_int8_narrow_weights(n.weight); });
  const memory src = value_as(n.inputs[0], memory::desc(to_dims(src_shape), cq.src_dt, Tag::nhwc), cq.src_scale);
  const memory dst = define_value(n.output, memory::desc(to_dims(dst_shape), cq.dst_dt, Tag::nhwc));
  plan_->scales[static_cast<size_t>(n.output)] = cq.dst_scale;

  const int threads = omp_get_max_threads();  // the executor set the team size before planning
  const memory scratch = scratch_memory(conv_int8_narrow_scratch_bytes(geo, threads));

  Step step;
  const Int8KernelParams params = int8_kernel_params(n, cq);
  step.run = [geo, threads, src, weights, params, dst, scratch] {
    conv_int8_narrow_run(geo, threads, src.get_data_handle(), params.src_type,
                         static_cast<const int8_t*>(weights.get_data_handle()), params.epilogue(),
                         dst.get_data_handle(), static_cast<uint8_t*>(scratch.get_data_handle()));
  };
  plan_->steps.push_back(std::move(step));
  plan_->nodes[ni].impl = "conv_int8_narrow:avx512_vnni_ymm";
  return true;
}

}  // namespace textq::onednn
