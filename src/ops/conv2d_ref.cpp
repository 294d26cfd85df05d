// Reference 2-D convolution (PyTorch Conv2d semantics, cross-correlation).
//   dst[n,oc,oy,ox] = act( bias[oc] + residual[n,oc,oy,ox]
//       + sum_{ic in group(oc), ky, kx} src[n, g*ICg+ic, oy*SH - PT + ky*DH, ox*SW - PL + kx*DW] * W[oc,ic,ky,kx] )
// Taps that fall in the zero padding are skipped. Loop order keeps the inner
// loop over output columns so it vectorises for stride 1.
#include <algorithm>

#include "ops/op_checks.h"
#include "ops/ops_ref.h"
#include "ops/tap_range.h"

namespace textq {

Tensor conv2d_ref(const Tensor& src, const Tensor& weight, const Tensor& bias, const Window2d& w,
                  const Tensor* residual, Activation act) {
  using op_checks::require;
  const char* op = "Conv";
  op_checks::require_nchw_f32(src, op, "src");
  op_checks::require_nchw_f32(weight, op, "weight");
  op_checks::require_window(w, op);
  const int64_t N = src.dim(0), C = src.dim(1), H = src.dim(2), W = src.dim(3);
  const int64_t OC = weight.dim(0), ICg = weight.dim(1), KH = weight.dim(2), KW = weight.dim(3);
  const int G = w.groups;
  require(KH == w.kernel_h && KW == w.kernel_w, op,
          "weight " + shape_str(weight.shape()) + " does not match kernel " + std::to_string(w.kernel_h) + "x" +
              std::to_string(w.kernel_w));
  require(C % G == 0 && OC % G == 0, op,
          "channels " + std::to_string(C) + " -> " + std::to_string(OC) + " not divisible by groups " + std::to_string(G));
  require(ICg == C / G, op,
          "weight " + shape_str(weight.shape()) + " expects " + std::to_string(ICg * G) + " input channels, src " +
              shape_str(src.shape()) + " has " + std::to_string(C));
  op_checks::require_bias(bias, OC, op);
  const int64_t OH = conv_out_size(H, w.kernel_h, w.stride_h, w.pad_top, w.pad_bottom, w.dilation_h);
  const int64_t OW = conv_out_size(W, w.kernel_w, w.stride_w, w.pad_left, w.pad_right, w.dilation_w);
  require(OH > 0 && OW > 0, op, "src " + shape_str(src.shape()) + " is smaller than the (dilated) kernel");
  const Shape out_shape{N, OC, OH, OW};
  op_checks::require_residual(residual, out_shape, op);

  Tensor dst(DType::f32, out_shape);
  const float* in = src.data<float>();
  const float* wt = weight.data<float>();  // [OC, ICg, KH, KW]
  const float* b = bias.empty() ? nullptr : bias.data<float>();
  const float* res = residual ? residual->data<float>() : nullptr;
  float* out = dst.data<float>();
  const int64_t OCg = OC / G;
  const int64_t plane = OH * OW;
  // Jobs are blocks of up to kBlock output channels of one group: each input
  // row is then read once per block instead of once per channel.
  constexpr int64_t kBlock = 8;
  const int64_t blocks_per_group = (OCg + kBlock - 1) / kBlock;
  const int64_t jobs = N * G * blocks_per_group;

#pragma omp parallel for schedule(dynamic)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t n = job / (G * blocks_per_group);
    const int64_t g = (job / blocks_per_group) % G;
    const int64_t oc0 = g * OCg + (job % blocks_per_group) * kBlock;
    const int64_t nb = std::min(kBlock, (g + 1) * OCg - oc0);
    float* o = out + (n * OC + oc0) * plane;  // nb consecutive planes, zero-initialised
    for (int64_t ic = 0; ic < ICg; ++ic) {
      const float* ip = in + (n * C + g * ICg + ic) * H * W;
      for (int64_t ky = 0; ky < KH; ++ky) {
        const int64_t offy = ky * w.dilation_h - w.pad_top;
        const int64_t oy0 = tap_range::first(offy, w.stride_h), oy1 = tap_range::end(offy, w.stride_h, H, OH);
        for (int64_t kx = 0; kx < KW; ++kx) {
          const int64_t offx = kx * w.dilation_w - w.pad_left;
          const int64_t ox0 = tap_range::first(offx, w.stride_w), ox1 = tap_range::end(offx, w.stride_w, W, OW);
          for (int64_t oy = oy0; oy < oy1; ++oy) {
            const float* irow = ip + (oy * w.stride_h + offy) * W;
            for (int64_t bi = 0; bi < nb; ++bi) {
              const float wv = wt[(((oc0 + bi) * ICg + ic) * KH + ky) * KW + kx];
              float* orow = o + bi * plane + oy * OW;
              if (w.stride_w == 1) {
                for (int64_t ox = ox0; ox < ox1; ++ox) orow[ox] += wv * irow[ox + offx];
              } else {
                for (int64_t ox = ox0; ox < ox1; ++ox) orow[ox] += wv * irow[ox * w.stride_w + offx];
              }
            }
          }
        }
      }
    }
    for (int64_t bi = 0; bi < nb; ++bi) {
      const float bv = b ? b[oc0 + bi] : 0.f;
      float* op_ = o + bi * plane;
      const float* r = res ? res + (n * OC + oc0 + bi) * plane : nullptr;
      for (int64_t i = 0; i < plane; ++i) {
        float v = op_[i] + bv;
        if (r) v += r[i];
        op_[i] = apply_activation(v, act);
      }
    }
  }
  return dst;
}

}  // namespace textq
