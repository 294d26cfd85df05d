// The loop every elementwise unary reference kernel shares (internal to src/ops).
#pragma once

#include "ops/op_checks.h"
#include "textq/tensor.h"

namespace textq {

template <class F>
Tensor unary_ref(const Tensor& src, const char* op, F f) {
  op_checks::require(!src.empty() && src.dtype() == DType::f32, op, "input must be f32");
  Tensor dst(DType::f32, src.shape());
  const float* x = src.data<float>();
  float* o = dst.data<float>();
  const int64_t n = src.numel();
#pragma omp parallel for
  for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
  return dst;
}

}  // namespace textq
