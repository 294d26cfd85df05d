// quantize_ref / dequantize_ref and the shared INT8 epilogue checks.
#include <cmath>
#include <string>

#include "ops/op_checks.h"
#include "ops/ops_int8_ref.h"

namespace textq {

Tensor quantize_ref(const Tensor& src, float scale, DType type) {
  op_checks::require(!src.empty() && src.dtype() == DType::f32, "Quantize", "src must be f32");
  op_checks::require(type == DType::u8 || type == DType::i8, "Quantize",
                     std::string("type must be u8 or s8, got ") + dtype_name(type));
  op_checks::require(std::isfinite(scale) && scale > 0.f, "Quantize",
                     "scale must be positive and finite, got " + std::to_string(scale));
  Tensor dst(type, src.shape());
  const float* x = src.data<float>();
  const int64_t n = src.numel();
  if (type == DType::u8) {
    uint8_t* q = dst.data<uint8_t>();
#pragma omp parallel for
    for (int64_t i = 0; i < n; ++i) q[i] = static_cast<uint8_t>(saturate_round(x[i] / scale, type));
  } else {
    int8_t* q = dst.data<int8_t>();
#pragma omp parallel for
    for (int64_t i = 0; i < n; ++i) q[i] = static_cast<int8_t>(saturate_round(x[i] / scale, type));
  }
  return dst;
}

Tensor dequantize_ref(const Tensor& src, float scale) {
  op_checks::require(!src.empty() && (src.dtype() == DType::u8 || src.dtype() == DType::i8), "Dequantize",
                     "src must be u8 or s8");
  Tensor dst(DType::f32, src.shape());
  float* y = dst.data<float>();
  const int64_t n = src.numel();
  if (src.dtype() == DType::u8) {
    const uint8_t* q = src.data<uint8_t>();
    for (int64_t i = 0; i < n; ++i) y[i] = scale * static_cast<float>(q[i]);
  } else {
    const int8_t* q = src.data<int8_t>();
    for (int64_t i = 0; i < n; ++i) y[i] = scale * static_cast<float>(q[i]);
  }
  return dst;
}

}  // namespace textq
