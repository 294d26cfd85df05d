// Reference elementwise product: dst = a * b, with b of a's shape or
// [N, C, 1, 1] (one factor per channel plane, the squeeze-excitation gate).
#include "ops/op_checks.h"
#include "ops/ops_ref.h"

namespace textq {

Tensor mul_ref(const Tensor& a, const Tensor& b) {
  using op_checks::require;
  const char* op = "Mul";
  op_checks::require_nchw_f32(a, op, "a");
  op_checks::require_nchw_f32(b, op, "b");
  const bool same = a.shape() == b.shape();
  require(same || b.shape() == Shape{a.dim(0), a.dim(1), 1, 1}, op,
          "b " + shape_str(b.shape()) + " must be " + shape_str(a.shape()) + " or [N, C, 1, 1] of it");
  Tensor dst(DType::f32, a.shape());
  const float* x = a.data<float>();
  const float* y = b.data<float>();
  float* o = dst.data<float>();
  const int64_t planes = a.dim(0) * a.dim(1), hw = a.dim(2) * a.dim(3);
#pragma omp parallel for
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t i = 0; i < hw; ++i) o[p * hw + i] = x[p * hw + i] * (same ? y[p * hw + i] : y[p]);
  return dst;
}

}  // namespace textq
