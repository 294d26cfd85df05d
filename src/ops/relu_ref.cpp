// Reference ReLU: dst = max(src, 0), NaN passes through (as torch.relu).
#include "ops/op_checks.h"
#include "ops/ops_ref.h"

namespace textq {

Tensor relu_ref(const Tensor& src) {
  op_checks::require(!src.empty() && src.dtype() == DType::f32, "Relu", "input must be f32");
  Tensor dst(DType::f32, src.shape());
  const float* x = src.data<float>();
  float* o = dst.data<float>();
  const int64_t n = src.numel();
#pragma omp parallel for
  for (int64_t i = 0; i < n; ++i) o[i] = apply_activation(x[i], Activation::Relu);
  return dst;
}

}  // namespace textq
