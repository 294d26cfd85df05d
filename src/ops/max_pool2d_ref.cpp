// Reference 2-D max pooling (PyTorch MaxPool2d, ceil_mode=False).
//   dst[n,c,oy,ox] = max over in-bounds taps (iy, ix) = (oy*SH - PT + ky*DH, ox*SW - PL + kx*DW)
//   OH = floor((H + PT + PB - DH*(KH-1) - 1) / SH) + 1.
// Padded cells are skipped (they never win); PyTorch's rule pad <= kernel/2
// guarantees every window has at least one in-bounds tap. NaN propagates.
#include <cmath>
#include <limits>

#include "ops/op_checks.h"
#include "ops/ops_ref.h"
#include "ops/pool_window.h"

namespace textq {

Tensor max_pool2d_ref(const Tensor& src, const Window2d& w) {
  using op_checks::require;
  const char* op = "MaxPool";
  op_checks::require_nchw_f32(src, op, "src");
  op_checks::require_window(w, op);
  require(w.groups == 1, op, "groups must be 1");
  pool_window::require_pytorch_padding(w, op);
  const int64_t N = src.dim(0), C = src.dim(1), H = src.dim(2), W = src.dim(3);
  const int64_t OH = conv_out_size(H, w.kernel_h, w.stride_h, w.pad_top, w.pad_bottom, w.dilation_h);
  const int64_t OW = conv_out_size(W, w.kernel_w, w.stride_w, w.pad_left, w.pad_right, w.dilation_w);
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
        pool_window::for_each_tap(ip, H, W, w, oy, ox, [&](float v) {
          if (v > m || std::isnan(v)) m = v;
          return !std::isnan(m);
        });
        o[oy * OW + ox] = m;
      }
    }
  }
  return dst;
}

}  // namespace textq
