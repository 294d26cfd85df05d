// Reference INT8 2-D convolution: same loop structure as conv2d_ref.cpp with
// an int32 accumulator per output plane, then the epilogue of
// conv_int8_common.h. Padding taps are skipped (= zero, the zero point).
#include <algorithm>
#include <vector>

#include "ops/conv_int8_common.h"
#include "ops/tap_range.h"

namespace textq {
namespace {

template <class SrcT>
void conv_accumulate(const SrcT* in, const int8_t* wt, int64_t C, int64_t H, int64_t W, int64_t ICg, int64_t KH,
                     int64_t KW, int64_t OW, int64_t OH, const Window2d& w, int64_t n, int64_t g, int64_t oc0,
                     int64_t nb, int32_t* acc) {
  const int64_t plane = OH * OW;
  for (int64_t ic = 0; ic < ICg; ++ic) {
    const SrcT* ip = in + (n * C + g * ICg + ic) * H * W;
    for (int64_t ky = 0; ky < KH; ++ky) {
      const int64_t offy = ky * w.dilation_h - w.pad_top;
      const int64_t oy0 = tap_range::first(offy, w.stride_h), oy1 = tap_range::end(offy, w.stride_h, H, OH);
      for (int64_t kx = 0; kx < KW; ++kx) {
        const int64_t offx = kx * w.dilation_w - w.pad_left;
        const int64_t ox0 = tap_range::first(offx, w.stride_w), ox1 = tap_range::end(offx, w.stride_w, W, OW);
        for (int64_t oy = oy0; oy < oy1; ++oy) {
          const SrcT* irow = ip + (oy * w.stride_h + offy) * W;
          for (int64_t bi = 0; bi < nb; ++bi) {
            const int32_t wv = wt[(((oc0 + bi) * ICg + ic) * KH + ky) * KW + kx];
            int32_t* arow = acc + bi * plane + oy * OW;
            if (w.stride_w == 1) {  // contiguous: lets the compiler vectorise
              for (int64_t ox = ox0; ox < ox1; ++ox) arow[ox] += wv * static_cast<int32_t>(irow[ox + offx]);
            } else {
              for (int64_t ox = ox0; ox < ox1; ++ox) arow[ox] += wv * static_cast<int32_t>(irow[ox * w.stride_w + offx]);
            }
          }
        }
      }
    }
  }
}

}  // namespace

Tensor conv2d_int8_ref(const Tensor& src, const Tensor& weight, const Tensor& bias, const Window2d& w,
                       const Tensor* residual, Activation act, const Int8ConvParams& p) {
  using op_checks::require;
  const char* op = "Conv(int8)";
  op_checks::require_window(w, op);
  require(src.rank() == 4 && weight.rank() == 4, op, "src and weight must be 4-D");
  const int64_t N = src.dim(0), C = src.dim(1), H = src.dim(2), W = src.dim(3);
  const int64_t OC = weight.dim(0), ICg = weight.dim(1), KH = weight.dim(2), KW = weight.dim(3);
  const int G = w.groups;
  int8_detail::require_int8_args(src, weight, OC, ICg * KH * KW, p, op);
  require(KH == w.kernel_h && KW == w.kernel_w, op, "weight " + shape_str(weight.shape()) + " does not match the kernel");
  require(C % G == 0 && OC % G == 0 && ICg == C / G, op,
          "weight " + shape_str(weight.shape()) + " does not fit src " + shape_str(src.shape()) + " with groups " +
              std::to_string(G));
  op_checks::require_bias(bias, OC, op);
  const int64_t OH = conv_out_size(H, w.kernel_h, w.stride_h, w.pad_top, w.pad_bottom, w.dilation_h);
  const int64_t OW = conv_out_size(W, w.kernel_w, w.stride_w, w.pad_left, w.pad_right, w.dilation_w);
  require(OH > 0 && OW > 0, op, "src " + shape_str(src.shape()) + " is smaller than the (dilated) kernel");
  const Shape out_shape{N, OC, OH, OW};
  op_checks::require_residual(residual, out_shape, op);

  Tensor dst(p.dst_type, out_shape);
  const int8_t* wt = weight.data<int8_t>();
  const float* b = bias.empty() ? nullptr : bias.data<float>();
  const float* res = residual ? residual->data<float>() : nullptr;
  const int64_t OCg = OC / G, plane = OH * OW;
  constexpr int64_t kBlock = 8;
  const int64_t blocks_per_group = (OCg + kBlock - 1) / kBlock;
  const int64_t jobs = N * G * blocks_per_group;

#pragma omp parallel for schedule(dynamic)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t n = job / (G * blocks_per_group);
    const int64_t g = (job / blocks_per_group) % G;
    const int64_t oc0 = g * OCg + (job % blocks_per_group) * kBlock;
    const int64_t nb = std::min(kBlock, (g + 1) * OCg - oc0);
    std::vector<int32_t> acc(static_cast<size_t>(nb * plane), 0);
    if (src.dtype() == DType::u8)
      conv_accumulate(src.data<uint8_t>(), wt, C, H, W, ICg, KH, KW, OW, OH, w, n, g, oc0, nb, acc.data());
    else
      conv_accumulate(src.data<int8_t>(), wt, C, H, W, ICg, KH, KW, OW, OH, w, n, g, oc0, nb, acc.data());
    for (int64_t bi = 0; bi < nb; ++bi) {
      const int64_t oc = oc0 + bi;
      const float m = p.src_scale * p.weight_scales[static_cast<size_t>(oc)];
      int8_detail::epilogue_plane(acc.data() + bi * plane, plane, m, b ? b[oc] : 0.f,
                                  res ? res + (n * OC + oc) * plane : nullptr, act, p, dst, (n * OC + oc) * plane);
    }
  }
  return dst;
}

}  // namespace textq
