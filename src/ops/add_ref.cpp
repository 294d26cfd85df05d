// Reference elementwise add: dst = act(a + b), a and b of the same shape.
#include "ops/op_checks.h"
#include "ops/ops_ref.h"

namespace textq {

Tensor add_ref(const Tensor& a, const Tensor& b, Activation activation) {
  using op_checks::require;
  const char* op = "Add";
  require(!a.empty() && !b.empty() && a.dtype() == DType::f32 && b.dtype() == DType::f32, op, "inputs must be f32");
  require(a.shape() == b.shape(), op, "shapes differ: " + shape_str(a.shape()) + " vs " + shape_str(b.shape()));
  Tensor dst(DType::f32, a.shape());
  const float* x = a.data<float>();
  const float* y = b.data<float>();
  float* o = dst.data<float>();
  const int64_t n = a.numel();
#pragma omp parallel for
  for (int64_t i = 0; i < n; ++i) o[i] = apply_activation(x[i] + y[i], activation);
  return dst;
}

}  // namespace textq
