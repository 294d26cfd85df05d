// Reference 2-D average pooling (ONNX AveragePool / PyTorch AvgPool2d, floor mode).
//   taps (iy, ix) = (oy*SH - PT + ky, ox*SW - PL + kx); out-of-bounds taps add nothing.
//   dst = (sum of in-bounds taps, f32) / (KH*KW if count_include_pad else #in-bounds taps)
// PyTorch's rule pad <= kernel/2 keeps every window at least one tap inside.
#include "ops/op_checks.h"
#include "ops/ops_ref.h"
#include "ops/pool_window.h"

namespace textq {

Tensor average_pool2d_ref(const Tensor& src, const Window2d& w, bool count_include_pad) {
  using op_checks::require;
  const char* op = "AveragePool";
  op_checks::require_nchw_f32(src, op, "src");
  op_checks::require_window(w, op);
  require(w.groups == 1 && w.dilation_h == 1 && w.dilation_w == 1, op, "groups and dilation must be 1");
  pool_window::require_pytorch_padding(w, op);
  const int64_t N = src.dim(0), C = src.dim(1), H = src.dim(2), W = src.dim(3);
  const int64_t OH = conv_out_size(H, w.kernel_h, w.stride_h, w.pad_top, w.pad_bottom, 1);
  const int64_t OW = conv_out_size(W, w.kernel_w, w.stride_w, w.pad_left, w.pad_right, 1);
  require(OH > 0 && OW > 0, op, "src " + shape_str(src.shape()) + " is smaller than the kernel");
  Tensor dst(DType::f32, {N, C, OH, OW});
  const float* in = src.data<float>();
  float* out = dst.data<float>();
#pragma omp parallel for
  for (int64_t nc = 0; nc < N * C; ++nc) {
    const float* ip = in + nc * H * W;
    float* o = out + nc * OH * OW;
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        float s = 0.f;
        int64_t taps = 0;
        pool_window::for_each_tap(ip, H, W, w, oy, ox, [&](float v) {
          s += v;
          ++taps;
          return true;
        });
        const int64_t div = count_include_pad ? int64_t(w.kernel_h) * w.kernel_w : taps;
        o[oy * OW + ox] = s / static_cast<float>(div);
      }
  }
  return dst;
}

}  // namespace textq
