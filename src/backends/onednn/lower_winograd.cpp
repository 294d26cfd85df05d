// FP32 3x3 stride-1 dense convs as Winograd F(4x4, 3x3) in nhwc (bf16 in bf16
// mode, with a bf16 GEMM where OneDnnTuning::bf16_winograd_gemm allows it)
// (winograd_f43.h), a step of our own between the oneDNN primitives: src,
// dst and residual stay in the nhwc f32 layout the rest of the FP32 graph
// uses, so no reorder is added. Bias, residual and ReLU are applied in the
// output transform; the transformed weights are made once per node and kept
// in the WeightCache across input shapes.
#include <omp.h>

#include "backends/onednn/plan_builder.h"
#include "backends/onednn/winograd_f43.h"

namespace textq::onednn {

bool PlanBuilder::lower_winograd(size_t ni) {
  const Node& n = graph_.nodes[ni];
  const Window2d& w = n.window;
  if (!tuning_.winograd || n.op != OpKind::Conv || n.quant.enabled || w.kernel_h != 3 || w.kernel_w != 3 ||
      w.stride_h != 1 || w.stride_w != 1 || w.dilation_h != 1 || w.dilation_w != 1 || w.groups != 1 ||
      n.weight.dtype() != DType::f32)
    return false;
  // A graph output leaves in f32: such a node keeps f32 activations.
  const bool bf16 = node_bf16(n) && !is_graph_output(n.output);
  if (!(bf16 ? winograd_f43_bf16_supported() : winograd_f43_supported())) return false;
  const Dt dt = bf16 ? Dt::bf16 : Dt::f32;  // activations (transformed weights are f32)
  const Shape& src_shape = plan_->shapes[static_cast<size_t>(n.inputs[0])];
  const Shape& dst_shape = plan_->shapes[static_cast<size_t>(n.output)];
  WinogradGeometry geo;
  geo.n = src_shape[0], geo.ic = src_shape[1], geo.ih = src_shape[2], geo.iw = src_shape[3];
  geo.oc = dst_shape[1], geo.oh = dst_shape[2], geo.ow = dst_shape[3];
  geo.pad_top = w.pad_top, geo.pad_left = w.pad_left;

  using Gemm = OneDnnTuning::Bf16WinogradGemm;
  const bool bf16_gemm = bf16 && (tuning_.bf16_winograd_gemm == Gemm::Always ||
                                  (tuning_.bf16_winograd_gemm == Gemm::Deep && deep_[static_cast<size_t>(n.output)]));
  // Transformed weights: a flat f32 (bf16) block, made once per node (kept across shapes).
  const int64_t wsize = winograd_f43_weight_count(geo.ic, geo.oc);
  const memory weights = packed_weights(ni, memory::desc({wsize}, bf16_gemm ? Dt::bf16 : Dt::f32, Tag::x), [&] {
    return bf16_gemm ? winograd_f43_weights_bf16(n.weight) : winograd_f43_weights(n.weight);
  });
  const Tensor bias = n.bias;
  if (!bias.empty()) plan_->keep.push_back(bias);

  const memory::desc src_md(to_dims(src_shape), dt, Tag::nhwc);
  const memory::desc dst_md(to_dims(dst_shape), dt, Tag::nhwc);
  const memory src = value_as(n.inputs[0], src_md);  // the producer's own memory in an nhwc f32 (bf16) graph
  std::optional<memory> residual;
  memory dst;
  if (n.has_residual()) {
    const int r = n.inputs[1];
    residual = value_as(r, dst_md);
    if (r != n.inputs[0] && can_overwrite(r, ni) && plan_->values[static_cast<size_t>(r)].get_desc() == dst_md) {
      // The output transform reads each residual element before writing it: dst takes over the buffer.
      const int buffer = main_buffer_[static_cast<size_t>(r)];
      main_buffer_[static_cast<size_t>(r)] = -1;
      main_buffer_[static_cast<size_t>(n.output)] = buffer;
      dst = *residual;
      plan_->values[static_cast<size_t>(n.output)] = dst;
    }
  }
  if (!dst) dst = define_value(n.output, dst_md);

  const int threads = omp_get_max_threads();  // the executor set the team size before planning
  const memory scratch = scratch_memory(winograd_f43_scratch_bytes(geo, threads));

  Step step;
  const bool relu = n.activation == Activation::Relu;
  step.run = [geo, threads, bf16, bf16_gemm, src, weights, bias, residual, relu, dst, scratch] {
    const float* b = bias.empty() ? nullptr : bias.data<float>();
    void* r = residual ? residual->get_data_handle() : nullptr;
    float* s = static_cast<float*>(scratch.get_data_handle());
    if (bf16_gemm)
      winograd_f43_run_bf16_gemm(geo, threads, static_cast<const uint16_t*>(src.get_data_handle()),
                                 static_cast<const uint16_t*>(weights.get_data_handle()), b,
                                 static_cast<const uint16_t*>(r), relu, static_cast<uint16_t*>(dst.get_data_handle()), s);
    else if (bf16)
      winograd_f43_run_bf16(geo, threads, static_cast<const uint16_t*>(src.get_data_handle()),
                            static_cast<const float*>(weights.get_data_handle()), b, static_cast<const uint16_t*>(r),
                            relu, static_cast<uint16_t*>(dst.get_data_handle()), s);
    else
      winograd_f43_run(geo, threads, static_cast<const float*>(src.get_data_handle()),
                       static_cast<const float*>(weights.get_data_handle()), b, static_cast<const float*>(r), relu,
                       static_cast<float*>(dst.get_data_handle()), s);
  };
  plan_->steps.push_back(std::move(step));
  plan_->nodes[ni].impl = bf16_gemm ? "wino_f43_nhwc:avx512_bf16_gemm"
                           : bf16    ? "wino_f43_nhwc:avx512_bf16"
                                     : std::string("wino_f43_nhwc:") + winograd_f43_isa();
  return true;
}

}  // namespace textq::onednn
