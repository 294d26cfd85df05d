// Reference 2-D max pooling (PyTorch MaxPool2d, ceil_mode=False).
//   dst[n,c,oy,ox] = max over in-bounds taps (iy, ix) = (oy*SH - PT + ky*DH, ox*SW - PL + kx*DW)
//   OH = floor((H + PT + PB - DH*(KH-1) - 1) / SH) + 1.
// Padded cells are skipped (they never win); PyTorch's rule pad <= kernel/2
// guarantees every window has at least one in-bounds tap. NaN propagates.
#include <cmath>
#include <limits>

#include "ops/op_checks.h"
#include "ops/ops_ref.h"

namespace textq {

Tensor max_pool2d_ref(const Tensor& src, const Window2d& w) {
  using op_checks::require;
  const char* op = "MaxPool";
  op_checks::require_nchw_f32(src, op, "src");
  op_checks::require_window(w, op);
  require(w.groups == 1, op, "groups must be 1");
  require(2 * w.pad_top <= w.kernel_h && 2 * w.pad_bottom <= w.kernel_h && 2 * w.pad_left <= w.kernel_w &&
              2 * w.pad_right <= w.kernel_w,
          op, "pad must be at most half the kernel (PyTorch rule)");
  const int64_t N = src.dim(0), C = src.dim(1), H = src.dim(2), W = src.dim(3);
  const int64_t OH = (H + w.pad_top + w.pad_bottom - static_cast<int64_t>(w.dilation_h) * (w.kernel_h - 1) - 1) / w.stride_h + 1;
  const int64_t OW = (W + w.pad_left + w.pad_right - static_cast<int64_t>(w.dilation_w) * (w.kernel_w - 1) - 1) / w.stride_w + 1;
  require(OH > 0 && OW > 0, op, "src " + shape_str(src.shape()) + " is smaller than the (dilated) kernel");

  Tensor dst(DType::f32, {N, C, OH, OW});
  const float* in = src.data<float>();
  float* out = dst.data<float>();
#pragma omp parallel for
  for (int64_t nc = 0; nc < N * C; ++nc) {
    const float* ip = in + nc * H * W;
    float* o = out + nc * OH * OW;
    for (int64_t oy = 0; oy < OH; ++oy) {
      for (int64_t ox = 0; ox < OW; ++ox) {
        float m = -std::numeric_limits<float>::infinity();
        bool any = false;
        for (int ky = 0; ky < w.kernel_h; ++ky) {
          const int64_t iy = oy * w.stride_h - w.pad_top + static_cast<int64_t>(ky) * w.dilation_h;
          if (iy < 0 || iy >= H) continue;
          for (int kx = 0; kx < w.kernel_w; ++kx) {
            const int64_t ix = ox * w.stride_w - w.pad_left + static_cast<int64_t>(kx) * w.dilation_w;
            if (ix < 0 || ix >= W) continue;
            const float v = ip[iy * W + ix];
            if (!any || v > m || std::isnan(v)) m = v;
            any = true;
            if (std::isnan(m)) break;
          }
          if (std::isnan(m)) break;
        }
        o[oy * OW + ox] = m;
      }
    }
  }
  return dst;
}

}  // namespace textq
