// Shared parts of the INT8 conv kernels (internal to src/ops): argument
// checks and the f32 epilogue whose operation order defines the semantics.
#pragma once

#include <cmath>
#include <string>

#include "ops/op_checks.h"
#include "ops/ops_int8_ref.h"
#include "ops/ops_ref.h"

namespace textq {
namespace int8_detail {

inline void require_int8_args(const Tensor& src, const Tensor& weight, int64_t oc, int64_t reduction,
                              const Int8ConvParams& p, const char* op) {
  using op_checks::require;
  require(!src.empty() && (src.dtype() == DType::u8 || src.dtype() == DType::i8) && src.rank() == 4, op,
          "src must be a 4-D u8 or s8 tensor, got " +
              (src.empty() ? std::string("nothing") : std::string(dtype_name(src.dtype())) + " " + shape_str(src.shape())));
  require(!weight.empty() && weight.dtype() == DType::i8 && weight.rank() == 4, op,
          "weight must be a 4-D s8 tensor, got " +
              (weight.empty() ? std::string("nothing") : std::string(dtype_name(weight.dtype())) + " " + shape_str(weight.shape())));
  require(std::isfinite(p.src_scale) && p.src_scale > 0.f, op, "src_scale must be positive and finite, got " + std::to_string(p.src_scale));
  require(static_cast<int64_t>(p.weight_scales.size()) == oc, op,
          "needs " + std::to_string(oc) + " weight scales, has " + std::to_string(p.weight_scales.size()));
  for (size_t i = 0; i < p.weight_scales.size(); ++i)
    require(std::isfinite(p.weight_scales[i]) && p.weight_scales[i] > 0.f, op,
            "weight_scales[" + std::to_string(i) + "] must be positive and finite, got " + std::to_string(p.weight_scales[i]));
  require(p.dst_type == DType::f32 || p.dst_type == DType::u8 || p.dst_type == DType::i8, op,
          std::string("dst_type must be f32, u8 or s8, got ") + dtype_name(p.dst_type));
  if (p.dst_type != DType::f32)
    require(std::isfinite(p.dst_scale) && p.dst_scale > 0.f, op, "dst_scale must be positive and finite, got " + std::to_string(p.dst_scale));
  // |q_src * q_w| <= 255 * 128; the int32 sum must not overflow.
  require(reduction <= (int64_t{1} << 31) / (255 * 128), op,
          "reduction length " + std::to_string(reduction) + " could overflow the int32 accumulator");
}

// Writes one output plane: y = float(acc) * m + bias (+ residual), act, then
// f32 or saturate_round(y / dst_scale).
inline void epilogue_plane(const int32_t* acc, int64_t plane, float multiplier, float bias, const float* residual,
                           Activation act, const Int8ConvParams& p, Tensor& dst, int64_t offset) {
  if (p.dst_type == DType::f32) {
    float* o = dst.data<float>() + offset;
    for (int64_t i = 0; i < plane; ++i) {
      float y = static_cast<float>(acc[i]) * multiplier;
      y = y + bias;
      if (residual) y = y + residual[i];
      o[i] = apply_activation(y, act);
    }
    return;
  }
  uint8_t* o8 = p.dst_type == DType::u8 ? dst.data<uint8_t>() + offset : nullptr;
  int8_t* os8 = p.dst_type == DType::i8 ? dst.data<int8_t>() + offset : nullptr;
  for (int64_t i = 0; i < plane; ++i) {
    float y = static_cast<float>(acc[i]) * multiplier;
    y = y + bias;
    if (residual) y = y + residual[i];
    y = apply_activation(y, act);
    const int32_t q = saturate_round(y / p.dst_scale, p.dst_type);
    if (o8)
      o8[i] = static_cast<uint8_t>(q);
    else
      os8[i] = static_cast<int8_t>(q);
  }
}

}  // namespace int8_detail
}  // namespace textq
