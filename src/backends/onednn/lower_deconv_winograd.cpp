// FP32 ConvTranspose k4 s2 p1 as one Winograd F(4x4, 3x3) conv with 4 x OC
// outputs whose output transform writes the deconv's pixels directly
// (winograd_deconv_k4s2_weights, WinogradGeometry::shuffle_oc): each output
// phase is a 3x3 window with 4 non-zero taps, so the 2.25x taps are paid back
// by Winograd's 4x fewer multiplications, the input is read once for all four
// phases and there is no interleave copy. On CPUs without AVX-512 the phase
// convs (oneDNN's jit:avx2) ran TextSnake's 128/64/32-channel deconvs at
// 33-44 GMAC/s. Layers whose transformed weights would be large (R50's up4,
// 2048 -> 256: 302 MB) keep the phase convs.
#include <omp.h>

#include "backends/onednn/plan_builder.h"
#include "backends/onednn/winograd_f43.h"

namespace textq::onednn {

namespace {
constexpr int64_t kMaxTransformedWeightBytes = int64_t{16} << 20;
}

bool PlanBuilder::lower_deconv_winograd(size_t ni) {
  const Node& n = graph_.nodes[ni];
  const Window2d& w = n.window;
  if (!deconv_winograd_ || n.op != OpKind::ConvTranspose || n.quant.enabled || n.weight.dtype() != DType::f32 ||
      node_bf16(n) || n.has_residual() || w.groups != 1 || w.kernel_h != 4 || w.kernel_w != 4 || w.stride_h != 2 ||
      w.stride_w != 2 || w.pad_top != 1 || w.pad_bottom != 1 || w.pad_left != 1 || w.pad_right != 1 ||
      w.dilation_h != 1 || w.dilation_w != 1 || w.output_padding_h != 0 || w.output_padding_w != 0 ||
      !winograd_f43_supported())
    return false;
  const Shape& src_shape = plan_->shapes[static_cast<size_t>(n.inputs[0])];
  const Shape& dst_shape = plan_->shapes[static_cast<size_t>(n.output)];
  // Each phase's channels padded to whole vectors (a vector never spans two phases).
  const int64_t ic = src_shape[1], oc = dst_shape[1], lanes = winograd_f43_vector_width();
  const int64_t phase_channels = (oc + lanes - 1) / lanes * lanes;
  const int64_t wsize = winograd_f43_weight_count(ic, 4 * phase_channels);
  if (wsize * int64_t{sizeof(float)} > kMaxTransformedWeightBytes) return false;
  // Reads the producer's nhwc as is: any other layout would need a reorder first.
  if (activation_tag(plan_->values[static_cast<size_t>(n.inputs[0])].get_desc()) != Tag::nhwc) return false;

  WinogradGeometry geo;
  geo.n = src_shape[0], geo.ic = ic, geo.ih = src_shape[2], geo.iw = src_shape[3];
  geo.oc = 4 * phase_channels, geo.oh = geo.ih, geo.ow = geo.iw;
  geo.pad_top = geo.pad_left = 1;
  geo.shuffle_oc = oc;

  const memory weights = packed_weights(ni, memory::desc({wsize}, Dt::f32, Tag::x), [&] {
    return winograd_f43_weights(winograd_deconv_k4s2_weights(n.weight, phase_channels));
  });
  Tensor bias;  // the deconv's bias once per phase (zero filled padding)
  if (!n.bias.empty()) {
    bias = Tensor(DType::f32, {geo.oc});
    for (int p = 0; p < 4; ++p) std::copy_n(n.bias.data<float>(), oc, bias.data<float>() + p * phase_channels);
    plan_->keep.push_back(bias);
  }
  const memory src = value_as(n.inputs[0], memory::desc(to_dims(src_shape), Dt::f32, Tag::nhwc));
  const memory dst = define_value(n.output, memory::desc(to_dims(dst_shape), Dt::f32, Tag::nhwc));
  const int threads = omp_get_max_threads();  // the executor set the team size before planning
  const memory scratch = scratch_memory(winograd_f43_scratch_bytes(geo, threads));

  Step step;
  const bool relu = n.activation == Activation::Relu;
  step.run = [geo, threads, src, weights, bias, relu, dst, scratch] {
    winograd_f43_run(geo, threads, static_cast<const float*>(src.get_data_handle()),
                     static_cast<const float*>(weights.get_data_handle()), bias.empty() ? nullptr : bias.data<float>(),
                     nullptr, relu, static_cast<float*>(dst.get_data_handle()),
                     static_cast<float*>(scratch.get_data_handle()));
  };
  plan_->steps.push_back(std::move(step));
  plan_->nodes[ni].impl = std::string("wino_f43_deconv_nhwc:") + winograd_f43_isa();
  return true;
}

}  // namespace textq::onednn
