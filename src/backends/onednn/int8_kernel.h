// What our INT8 conv kernels (conv_int8_narrow.h, conv_int8_stem.h) share:
// their data types and the parameters of oneDNN 2.6's INT8 epilogue, which
// they reproduce exactly (conv_quant.h): exact int32 sums (less the s8 shift
// compensation), then oscale[oc] * (float(acc) + bias[oc]), ReLU, and for an
// integer dst clamping to its range and rounding to nearest even.
#pragma once

#include <cstdint>

namespace textq::onednn {

enum class Int8Type { u8, s8, f32 };

struct Int8Epilogue {
  const int32_t* comp = nullptr;  // s8_shift_compensation (conv_quant.h) for an s8 src; null for u8
  const float* oscale = nullptr;  // per output channel
  const float* bias = nullptr;    // bias / m per output channel, as oneDNN is given it; may be null
  bool relu = false;
  Int8Type dst_type = Int8Type::u8;
};

}  // namespace textq::onednn
