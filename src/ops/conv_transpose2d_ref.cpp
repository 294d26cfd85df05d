// Reference 2-D transposed convolution (PyTorch ConvTranspose2d semantics).
// Weight layout [C, OC/groups, KH, KW] (PyTorch's, not oneDNN's).
//   dst[n,oc,oy,ox] = act( bias[oc] + residual[n,oc,oy,ox]
//       + sum over (ic in group, ky, kx, iy, ix) with oy = iy*SH - PT + ky*DH, ox = ix*SW - PL + kx*DW
//         of src[n, ic, iy, ix] * W[ic, oc % OCg, ky, kx] )
//   OH = (H-1)*SH - PT - PB + DH*(KH-1) + output_padding_h + 1  (same for W).
// Written as a scatter from each input pixel, per output-channel block, so
// threads never write the same output plane.
#include <algorithm>

#include "ops/op_checks.h"
#include "ops/ops_ref.h"
#include "ops/tap_range.h"

namespace textq {

Tensor conv_transpose2d_ref(const Tensor& src, const Tensor& weight, const Tensor& bias, const Window2d& w,
                            const Tensor* residual, Activation act) {
  using op_checks::require;
  const char* op = "ConvTranspose";
  op_checks::require_nchw_f32(src, op, "src");
  op_checks::require_nchw_f32(weight, op, "weight");
  op_checks::require_window(w, op);
  const int64_t N = src.dim(0), C = src.dim(1), H = src.dim(2), W = src.dim(3);
  const int64_t WC = weight.dim(0), OCg = weight.dim(1), KH = weight.dim(2), KW = weight.dim(3);
  const int G = w.groups;
  require(KH == w.kernel_h && KW == w.kernel_w, op,
          "weight " + shape_str(weight.shape()) + " does not match kernel " + std::to_string(w.kernel_h) + "x" +
              std::to_string(w.kernel_w));
  require(WC == C, op,
          "weight " + shape_str(weight.shape()) + " expects " + std::to_string(WC) + " input channels, src " +
              shape_str(src.shape()) + " has " + std::to_string(C));
  require(C % G == 0, op, "input channels " + std::to_string(C) + " not divisible by groups " + std::to_string(G));
  require(w.output_padding_h >= 0 && w.output_padding_w >= 0 &&
              (w.output_padding_h < w.stride_h || w.output_padding_h < w.dilation_h) &&
              (w.output_padding_w < w.stride_w || w.output_padding_w < w.dilation_w),
          op, "output_padding must be smaller than stride or dilation (PyTorch rule)");
  const int64_t OC = OCg * G, ICg = C / G;
  op_checks::require_bias(bias, OC, op);
  const int64_t OH = (H - 1) * w.stride_h - w.pad_top - w.pad_bottom + static_cast<int64_t>(w.dilation_h) * (KH - 1) +
                     w.output_padding_h + 1;
  const int64_t OW = (W - 1) * w.stride_w - w.pad_left - w.pad_right + static_cast<int64_t>(w.dilation_w) * (KW - 1) +
                     w.output_padding_w + 1;
  require(OH > 0 && OW > 0, op, "output size is not positive for src " + shape_str(src.shape()));
  const Shape out_shape{N, OC, OH, OW};
  op_checks::require_residual(residual, out_shape, op);

  Tensor dst(DType::f32, out_shape);
  const float* in = src.data<float>();
  const float* wt = weight.data<float>();  // [C, OCg, KH, KW]
  const float* b = bias.empty() ? nullptr : bias.data<float>();
  const float* res = residual ? residual->data<float>() : nullptr;
  float* out = dst.data<float>();
  const int64_t plane = OH * OW;
  constexpr int64_t kBlock = 8;
  const int64_t blocks_per_group = (OCg + kBlock - 1) / kBlock;
  const int64_t jobs = N * G * blocks_per_group;

#pragma omp parallel for schedule(dynamic)
  for (int64_t job = 0; job < jobs; ++job) {
    const int64_t n = job / (G * blocks_per_group);
    const int64_t g = (job / blocks_per_group) % G;
    const int64_t ocg0 = (job % blocks_per_group) * kBlock;  // index inside the group
    const int64_t nb = std::min(kBlock, OCg - ocg0);
    float* o = out + (n * OC + g * OCg + ocg0) * plane;
    for (int64_t ic = 0; ic < ICg; ++ic) {
      const int64_t c = g * ICg + ic;
      const float* ip = in + (n * C + c) * H * W;
      for (int64_t ky = 0; ky < KH; ++ky) {
        const int64_t offy = ky * w.dilation_h - w.pad_top;
        const int64_t iy0 = tap_range::first(offy, w.stride_h), iy1 = tap_range::end(offy, w.stride_h, OH, H);
        for (int64_t kx = 0; kx < KW; ++kx) {
          const int64_t offx = kx * w.dilation_w - w.pad_left;
          const int64_t ix0 = tap_range::first(offx, w.stride_w), ix1 = tap_range::end(offx, w.stride_w, OW, W);
          for (int64_t iy = iy0; iy < iy1; ++iy) {
            const float* irow = ip + iy * W;
            const int64_t oy = iy * w.stride_h + offy;
            for (int64_t bi = 0; bi < nb; ++bi) {
              const float wv = wt[((c * OCg + ocg0 + bi) * KH + ky) * KW + kx];
              float* orow = o + bi * plane + oy * OW;
              for (int64_t ix = ix0; ix < ix1; ++ix) orow[ix * w.stride_w + offx] += wv * irow[ix];
            }
          }
        }
      }
    }
    for (int64_t bi = 0; bi < nb; ++bi) {
      const int64_t oc = g * OCg + ocg0 + bi;
      const float bv = b ? b[oc] : 0.f;
      float* op_ = o + bi * plane;
      const float* r = res ? res + (n * OC + oc) * plane : nullptr;
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
