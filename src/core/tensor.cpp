#include "textq/tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>

#include "textq/error.h"

namespace textq {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::f32: return 4;
    case DType::f64: return 8;
    case DType::f16: return 2;
    case DType::bf16: return 2;
    case DType::i64: return 8;
    case DType::i32: return 4;
    case DType::i16: return 2;
    case DType::i8: return 1;
    case DType::u8: return 1;
    case DType::boolean: return 1;
  }
  return 1;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::f32: return "f32";
    case DType::f64: return "f64";
    case DType::f16: return "f16";
    case DType::bf16: return "bf16";
    case DType::i64: return "i64";
    case DType::i32: return "i32";
    case DType::i16: return "i16";
    case DType::i8: return "s8";
    case DType::u8: return "u8";
    case DType::boolean: return "bool";
  }
  return "?";
}

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error(ErrorKind::InvalidFile, "shape " + shape_str(shape) + " has a negative dimension");
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      throw Error(ErrorKind::InvalidFile, "shape " + shape_str(shape) + ": element count overflows int64");
    n *= d;
  }
  return n;
}

std::string shape_str(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Tensor::Tensor(DType dtype, Shape shape) : Tensor(dtype, std::move(shape), true) {}

Tensor Tensor::uninitialized(DType dtype, Shape shape) { return Tensor(dtype, std::move(shape), false); }

Tensor::Tensor(DType dtype, Shape shape, bool zero) : dtype_(dtype), shape_(std::move(shape)) {
  numel_ = shape_numel(shape_);
  const size_t elem = dtype_size(dtype_);
  if (static_cast<uint64_t>(numel_) > std::numeric_limits<size_t>::max() / elem / 2)
    throw Error(ErrorKind::InvalidFile, "tensor of shape " + shape_str(shape_) + " is too large");
  size_t bytes = static_cast<size_t>(numel_) * elem;
  size_t alloc = (bytes + 63) / 64 * 64;
  if (alloc == 0) alloc = 64;
  void* p = std::aligned_alloc(64, alloc);
  if (!p) throw Error(ErrorKind::Internal, "out of memory allocating " + std::to_string(alloc) + " bytes for tensor " + shape_str(shape_));
  if (zero) std::memset(p, 0, alloc);
  buf_ = std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
}

Tensor Tensor::clone() const {
  if (empty()) return Tensor();
  Tensor t = uninitialized(dtype_, shape_);
  std::memcpy(t.raw(), raw(), nbytes());
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  if (shape_numel(shape) != numel_)
    throw Error(ErrorKind::Internal, "reshape " + shape_str(shape_) + " -> " + shape_str(shape) + " changes the element count");
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

void Tensor::check_dtype(DType want) const {
  if (want != dtype_)
    throw Error(ErrorKind::Internal, std::string("tensor access as ") + dtype_name(want) + " but tensor is " + dtype_name(dtype_));
}

}  // namespace textq
