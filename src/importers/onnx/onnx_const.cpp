#include "importers/onnx/onnx_const.h"

#include <cstring>
#include <limits>

#include <onnx/onnx_pb.h>

#include "textq/error.h"

namespace textq::onnx_import {

namespace {

// Per tensor: 2^27 elements (512 MiB as f32) is far above any detector's
// largest weight and keeps a 2 GiB file of 1-byte elements from expanding 8x.
constexpr int64_t kMaxConstElements = int64_t(1) << 27;

[[noreturn]] void bad(const std::string& where, const std::string& rule, ErrorKind kind = ErrorKind::InvalidFile) {
  throw Error(kind, where + ": " + rule);
}

float half_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int e = -1;
      uint32_t m = man;
      do { ++e; m <<= 1; } while (!(m & 0x400));
      bits = sign | (uint32_t(127 - 15 - e) << 23) | ((m & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (man << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (man << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

}  // namespace

ConstTensor const_from_proto(const onnx::TensorProto& t, const std::string& where) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size() > 0)
    bad(where, "stores its data outside the model file (external data); textq reads self-contained .onnx files only",
        ErrorKind::UnsupportedModel);
  if (t.has_segment()) bad(where, "is a segmented tensor (not supported)", ErrorKind::UnsupportedModel);
  ConstTensor c;
  for (int k = 0; k < t.dims_size(); ++k) {
    const int64_t d = t.dims(k);
    if (d < 0) bad(where, "dimension " + std::to_string(k) + " is negative (" + std::to_string(d) + ")");
    if (d > kMaxConstElements) bad(where, "dimension " + std::to_string(k) + " = " + std::to_string(d) + " exceeds 2^27");
    c.dims.push_back(d);
  }
  int64_t n = 0;
  try {
    n = shape_numel(c.dims);
  } catch (const Error&) {
    bad(where, "dims " + shape_str(c.dims) + " overflow");
  }
  if (n > kMaxConstElements) bad(where, "dims " + shape_str(c.dims) + " hold more than 2^27 elements");

  const int dt = t.data_type();
  size_t esize = 0;
  switch (dt) {
    case onnx::TensorProto::FLOAT: case onnx::TensorProto::INT32: esize = 4; break;
    case onnx::TensorProto::DOUBLE: case onnx::TensorProto::INT64: esize = 8; break;
    case onnx::TensorProto::FLOAT16: case onnx::TensorProto::INT16: case onnx::TensorProto::UINT16: esize = 2; break;
    case onnx::TensorProto::INT8: case onnx::TensorProto::UINT8: case onnx::TensorProto::BOOL: esize = 1; break;
    default:
      bad(where, "data type " + std::to_string(dt) + " (" + onnx::TensorProto_DataType_Name(dt) +
                     ") is not one textq reads (float, double, float16, integers, bool)",
          ErrorKind::UnsupportedModel);
  }
  const bool floating = dt == onnx::TensorProto::FLOAT || dt == onnx::TensorProto::DOUBLE || dt == onnx::TensorProto::FLOAT16;
  c.is_int = !floating;
  const size_t count = static_cast<size_t>(n);
  if (floating) c.f.resize(count); else c.i.resize(count);
  auto put = [&](size_t k, double v, int64_t iv) {
    if (floating) c.f[k] = static_cast<float>(v); else c.i[k] = iv;
  };

  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    if (raw.size() != count * esize)
      bad(where, "raw_data has " + std::to_string(raw.size()) + " bytes but dims " + shape_str(c.dims) + " of " +
                     onnx::TensorProto_DataType_Name(dt) + " need " + std::to_string(count * esize));
    const char* p = raw.data();
    for (size_t k = 0; k < count; ++k, p += esize) {
      switch (dt) {
        case onnx::TensorProto::FLOAT: { float v; std::memcpy(&v, p, 4); put(k, v, 0); break; }
        case onnx::TensorProto::DOUBLE: { double v; std::memcpy(&v, p, 8); put(k, v, 0); break; }
        case onnx::TensorProto::FLOAT16: { uint16_t v; std::memcpy(&v, p, 2); put(k, half_to_float(v), 0); break; }
        case onnx::TensorProto::INT64: { int64_t v; std::memcpy(&v, p, 8); put(k, 0, v); break; }
        case onnx::TensorProto::INT32: { int32_t v; std::memcpy(&v, p, 4); put(k, 0, v); break; }
        case onnx::TensorProto::INT16: { int16_t v; std::memcpy(&v, p, 2); put(k, 0, v); break; }
        case onnx::TensorProto::UINT16: { uint16_t v; std::memcpy(&v, p, 2); put(k, 0, v); break; }
        case onnx::TensorProto::INT8: put(k, 0, static_cast<int8_t>(*p)); break;
        default: put(k, 0, static_cast<uint8_t>(*p)); break;  // UINT8, BOOL
      }
    }
    return c;
  }
  // Typed fields: float_data (FLOAT), double_data, int64_data, and int32_data
  // for every narrower type (FLOAT16 as its bit pattern).
  auto need = [&](int have, const char* field) {
    if (static_cast<size_t>(have) != count)
      bad(where, std::string(field) + " has " + std::to_string(have) + " values but dims " + shape_str(c.dims) + " need " +
                     std::to_string(count));
  };
  switch (dt) {
    case onnx::TensorProto::FLOAT:
      need(t.float_data_size(), "float_data");
      for (size_t k = 0; k < count; ++k) put(k, t.float_data(static_cast<int>(k)), 0);
      break;
    case onnx::TensorProto::DOUBLE:
      need(t.double_data_size(), "double_data");
      for (size_t k = 0; k < count; ++k) put(k, t.double_data(static_cast<int>(k)), 0);
      break;
    case onnx::TensorProto::INT64:
      need(t.int64_data_size(), "int64_data");
      for (size_t k = 0; k < count; ++k) put(k, 0, t.int64_data(static_cast<int>(k)));
      break;
    default:
      need(t.int32_data_size(), "int32_data");
      for (size_t k = 0; k < count; ++k) {
        const int32_t v = t.int32_data(static_cast<int>(k));
        if (dt == onnx::TensorProto::FLOAT16) put(k, half_to_float(static_cast<uint16_t>(v)), 0);
        else put(k, 0, v);
      }
      break;
  }
  return c;
}

Tensor to_tensor(const ConstTensor& c, Shape shape) {
  Tensor t(DType::f32, std::move(shape));
  if (t.numel() != c.numel())
    throw Error(ErrorKind::Internal, "to_tensor: " + std::to_string(c.numel()) + " values for shape " + shape_str(t.shape()));
  float* p = t.data<float>();
  for (int64_t k = 0; k < t.numel(); ++k) p[k] = static_cast<float>(c.at(k));
  return t;
}

}  // namespace textq::onnx_import
