// Reference per-channel affine map: dst = x * scale[c] + shift[c], the form of a folded
// BatchNormalization, a learnable scale/bias pair, or a constant Mul/Add/Div.
#include "ops/op_checks.h"
#include "ops/ops_ref.h"

namespace textq {

Tensor affine_ref(const Tensor& src, const Tensor& scale, const Tensor& shift) {
  using op_checks::require;
  const char* op = "Affine";
  op_checks::require_nchw_f32(src, op, "src");
  const int64_t C = src.dim(1);
  require(scale.dtype() == DType::f32 && scale.rank() == 1 && (scale.numel() == C || scale.numel() == 1), op,
          "scale must be f32 [" + std::to_string(C) + "] or [1], got " + shape_str(scale.shape()));
  require(shift.dtype() == DType::f32 && shift.shape() == scale.shape(), op,
          "shift must be f32 " + shape_str(scale.shape()) + ", got " + shape_str(shift.shape()));
  Tensor dst(DType::f32, src.shape());
  const float* x = src.data<float>();
  const float* a = scale.data<float>();
  const float* b = shift.data<float>();
  float* o = dst.data<float>();
  const int64_t planes = src.dim(0) * C, hw = src.dim(2) * src.dim(3);
  const bool per_channel = scale.numel() == C && C != 1;
#pragma omp parallel for
  for (int64_t p = 0; p < planes; ++p) {
    const int64_t c = per_channel ? p % C : 0;
    const float m = a[c], s = b[c];
    for (int64_t i = 0; i < hw; ++i) o[p * hw + i] = x[p * hw + i] * m + s;
  }
  return dst;
}

}  // namespace textq
