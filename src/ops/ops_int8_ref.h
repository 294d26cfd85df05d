// Reference INT8 kernels: the exact semantics of an INT8 Conv/ConvTranspose
// node (docs/quantization.md, "Node semantics"). Plain loops, int32
// accumulation, f32 epilogue in a fixed operation order, so a test can
// reproduce every output bit and a fast backend knows what to match.
//
// Conventions: real = scale * q, zero point 0. u8 saturates to [0, 255], s8
// to [-128, 127] (weights are produced in [-127, 127] by the quantizer).
// Rounding is round-half-to-even (std::nearbyint in the default FP mode).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "ir/graph.h"
#include "textq/tensor.h"

namespace textq {

// Saturating round-half-even of v to the range of `type` (u8 or s8); NaN -> 0.
inline int32_t saturate_round(float v, DType type) {
  if (std::isnan(v)) return 0;
  const float lo = type == DType::u8 ? 0.f : -128.f;
  const float hi = type == DType::u8 ? 255.f : 127.f;
  const float r = std::nearbyint(v);
  return static_cast<int32_t>(r < lo ? lo : (r > hi ? hi : r));
}

// q = saturate_round(x / scale) elementwise (f32 division). src: f32 of any
// shape; type: u8 or s8; scale > 0 and finite, else Error(InvalidArgument).
Tensor quantize_ref(const Tensor& src, float scale, DType type);

// real = scale * q (f32 product). src: u8 or s8.
Tensor dequantize_ref(const Tensor& src, float scale);

// Parameters of one INT8 convolution (mirrors QuantParams of ir/graph.h).
struct Int8ConvParams {
  float src_scale = 0.f;                // scale of the quantized src
  std::vector<float> weight_scales;     // per output channel
  DType dst_type = DType::f32;          // u8, s8 or f32
  float dst_scale = 0.f;                // used when dst_type is u8/s8
};

// src: u8 or s8 [N, C, H, W] (already quantized); weight: s8, layout as the
// FP32 kernel (Conv [OC, C/g, KH, KW]); bias f32 [OC] or empty; residual f32
// with the output shape or nullptr. Per output element:
//   acc = sum q_src * q_w                                   (int32, exact)
//   y   = float(acc) * (src_scale * weight_scales[oc])      (f32; multiplier rounded to f32 first)
//   y   = y + bias[oc];  y = y + residual;  y = act(y)       (f32, in this order)
//   dst = y (f32)  or  saturate_round(y / dst_scale) (u8/s8)
// Throws Error(InvalidArgument) for bad shapes, dtypes, scales, or a reduction
// long enough to overflow int32.
Tensor conv2d_int8_ref(const Tensor& src, const Tensor& weight, const Tensor& bias, const Window2d& window,
                       const Tensor* residual, Activation activation, const Int8ConvParams& params);

// Transposed convolution with the same epilogue; weight s8 [C, OC/g, KH, KW].
Tensor conv_transpose2d_int8_ref(const Tensor& src, const Tensor& weight, const Tensor& bias, const Window2d& window,
                                 const Tensor* residual, Activation activation, const Int8ConvParams& params);

}  // namespace textq
