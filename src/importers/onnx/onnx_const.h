// Constant tensors of an ONNX graph (initializers, Constant nodes, and what
// constant folding makes of them): any rank, f32 or i64 values. Every
// TensorProto is checked before use: dims >= 0 and at most 2^27 elements,
// raw_data length == numel * element size, typed-field counts == numel, no
// external data (a model file must never make us open another path).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "textq/tensor.h"

namespace onnx {
class TensorProto;
}

namespace textq::onnx_import {

struct ConstTensor {
  bool is_int = false;        // i64 values (shapes, indices, axes); else f32
  Shape dims;                 // ONNX dims, any rank (a scalar has none)
  std::vector<float> f;       // when !is_int
  std::vector<int64_t> i;     // when is_int
  int64_t numel() const { return shape_numel(dims); }
  // Value k as a double / an integer (either storage).
  double at(int64_t k) const { return is_int ? static_cast<double>(i[static_cast<size_t>(k)]) : f[static_cast<size_t>(k)]; }
  // A float outside +-2^62 (or NaN) reads as INT64_MIN, which every range check refuses.
  int64_t int_at(int64_t k) const {
    if (is_int) return i[static_cast<size_t>(k)];
    const float v = f[static_cast<size_t>(k)];
    return std::fabs(v) < 4.6e18f ? static_cast<int64_t>(v) : INT64_MIN;
  }
};

// Decodes float, double, float16, int64, int32, int8/16, uint8/16 and bool
// tensors (floating types to f32, integer types to i64). `where` names the
// tensor in messages: "<where>: <rule>", Error(InvalidFile), or
// Error(UnsupportedModel) for a data type we do not read (string, complex, ...).
ConstTensor const_from_proto(const onnx::TensorProto& t, const std::string& where);

// The constant as an f32 textq Tensor of the given shape (numel must match).
Tensor to_tensor(const ConstTensor& c, Shape shape);

}  // namespace textq::onnx_import
