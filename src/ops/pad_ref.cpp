// Reference constant padding of H and W: dst is `value` everywhere except the
// interior [PT, PT+H) x [PL, PL+W), which holds src.
#include <algorithm>
#include <cstring>

#include "ops/op_checks.h"
#include "ops/ops_ref.h"

namespace textq {

Tensor pad_ref(const Tensor& src, const Window2d& w, float value) {
  using op_checks::require;
  const char* op = "Pad";
  op_checks::require_nchw_f32(src, op, "src");
  require(w.pad_top >= 0 && w.pad_left >= 0 && w.pad_bottom >= 0 && w.pad_right >= 0, op, "pads must be >= 0");
  const int64_t N = src.dim(0), C = src.dim(1), H = src.dim(2), W = src.dim(3);
  const int64_t OH = H + w.pad_top + w.pad_bottom, OW = W + w.pad_left + w.pad_right;
  Tensor dst(DType::f32, {N, C, OH, OW});
  const float* in = src.data<float>();
  float* out = dst.data<float>();
  std::fill(out, out + dst.numel(), value);
#pragma omp parallel for
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t y = 0; y < H; ++y)
      std::memcpy(out + (nc * OH + y + w.pad_top) * OW + w.pad_left, in + (nc * H + y) * W, sizeof(float) * W);
  return dst;
}

}  // namespace textq
