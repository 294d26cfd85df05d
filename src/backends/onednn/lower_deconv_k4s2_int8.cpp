// INT8 ConvTranspose k4 s2 p1 with a few output channels and an f32 graph
// output (TextSnake's folded head) on our own kernel (deconv_k4s2_int8.h), a
// step between the oneDNN primitives: it reads the producer's nhwc u8 as is
// and writes the output plain NCHW f32, the layout the executor hands out,
// straight into the caller's tensor (ShapePlan::output_direct): no output reorder. Declines (plan untouched) when the
// node, its producer's layout or the CPU does not fit; the phase convs take it.
#include <omp.h>

#include <algorithm>

#include "backends/onednn/deconv_k4s2_int8.h"
#include "backends/onednn/plan_builder.h"

namespace textq::onednn {

bool PlanBuilder::lower_deconv_k4s2_int8(size_t ni, const ConvQuant& cq) {
  const Node& n = graph_.nodes[ni];
  const Window2d& w = n.window;
  const Shape& src_shape = plan_->shapes[static_cast<size_t>(n.inputs[0])];
  const Shape& dst_shape = plan_->shapes[static_cast<size_t>(n.output)];
  if (!tuning_.int8_deconv_k4s2_kernel || !cq.int8 || cq.src_dt != Dt::u8 || cq.dst_dt != Dt::f32 ||
      n.has_residual() || !is_graph_output(n.output) || w.groups != 1 || w.kernel_h != 4 || w.kernel_w != 4 ||
      w.stride_h != 2 || w.stride_w != 2 || w.pad_top != 1 || w.pad_bottom != 1 || w.pad_left != 1 ||
      w.pad_right != 1 || w.dilation_h != 1 || w.dilation_w != 1 || w.output_padding_h != 0 ||
      w.output_padding_w != 0 || n.weight.dim(0) % 4 != 0 || n.weight.dim(1) > kDeconvK4S2MaxOc ||
      (n.activation != Activation::None && n.activation != Activation::Relu) || !deconv_k4s2_int8_supported())
    return false;
  // Reads the producer's integers in place: anything but nhwc would need a full-resolution reorder first.
  if (activation_tag(plan_->values[static_cast<size_t>(n.inputs[0])].get_desc()) != Tag::nhwc) return false;

  DeconvK4S2Geometry geo;
  geo.n = src_shape[0], geo.ic = src_shape[1], geo.ih = src_shape[2], geo.iw = src_shape[3];
  geo.oc = dst_shape[1];
  const memory weights = packed_weights(ni, memory::desc({deconv_k4s2_int8_weight_count(geo.ic, geo.oc)}, Dt::s32, Tag::x),
                                       [&] { return deconv_k4s2_int8_weights(n.weight); });
  const memory src = value_as(n.inputs[0], memory::desc(to_dims(src_shape), Dt::u8, Tag::nhwc), cq.src_scale);
  // Listed once among the graph outputs, the value lives in the caller's tensor
  // (the executor sets the handle per run): no activation buffer of its own.
  const auto& outs = graph_.outputs;
  memory dst;
  if (std::count(outs.begin(), outs.end(), n.output) == 1) {
    dst = memory(plain_nchw(dst_shape), ctx_.engine, DNNL_MEMORY_NONE);
    plan_->values[static_cast<size_t>(n.output)] = dst;
    plan_->output_direct[static_cast<size_t>(std::find(outs.begin(), outs.end(), n.output) - outs.begin())] = true;
  } else {
    dst = define_value(n.output, plain_nchw(dst_shape));
  }

  const int threads = omp_get_max_threads();  // the executor set the team size before planning
  const memory scratch = scratch_memory(deconv_k4s2_int8_scratch_bytes(geo, threads));

  Step step;
  const std::vector<float> oscale = cq.oscales;  // m[oc] for an f32 dst
  const Tensor bias = cq.bias;                   // bias / m[oc], as oneDNN is given it
  const bool relu = n.activation == Activation::Relu;
  step.run = [geo, threads, src, weights, oscale, bias, relu, dst, scratch] {
    deconv_k4s2_int8_run(geo, threads, static_cast<const uint8_t*>(src.get_data_handle()),
                         static_cast<const int32_t*>(weights.get_data_handle()), oscale.data(),
                         bias.empty() ? nullptr : bias.data<float>(), relu, static_cast<float*>(dst.get_data_handle()),
                         static_cast<int32_t*>(scratch.get_data_handle()));
  };
  plan_->steps.push_back(std::move(step));
  plan_->scales[static_cast<size_t>(n.output)] = 1.f;
  plan_->nodes[ni].impl = "deconv_k4s2_int8:avx512_vnni";
  return true;
}

}  // namespace textq::onednn
