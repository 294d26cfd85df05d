// A dense, contiguous, 64-byte aligned n-d array with a dtype.
// Copies share the buffer (like a handle); use clone() for a deep copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace textq {

enum class DType : uint8_t { f32, f64, f16, bf16, i64, i32, i16, i8, u8, boolean };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);

using Shape = std::vector<int64_t>;

// Number of elements; throws Error(InvalidFile) on a negative dimension or overflow
// past int64 (so a hostile header cannot make us allocate a wrapped size).
int64_t shape_numel(const Shape& shape);
std::string shape_str(const Shape& shape);  // "[1, 3, 736, 1280]"

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<double>() { return DType::f64; }
template <> constexpr DType dtype_of<int64_t>() { return DType::i64; }
template <> constexpr DType dtype_of<int32_t>() { return DType::i32; }
template <> constexpr DType dtype_of<int16_t>() { return DType::i16; }
template <> constexpr DType dtype_of<int8_t>() { return DType::i8; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::u8; }

class Tensor {
 public:
  Tensor() = default;
  // Zero-initialised buffer of shape_numel(shape) * dtype_size(dtype) bytes.
  Tensor(DType dtype, Shape shape);
  // The same buffer left unset, for a writer that fills every element (a
  // backend's output, an image's normalised pixels): zeroing tens of MB per
  // image would be work that is overwritten at once.
  static Tensor uninitialized(DType dtype, Shape shape);

  bool empty() const { return !buf_; }
  // True when no other Tensor shares this buffer (a holder may then reuse it).
  bool sole_owner() const { return buf_ && buf_.use_count() == 1; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t dim(size_t i) const { return shape_.at(i); }
  size_t rank() const { return shape_.size(); }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }

  void* raw() { return buf_.get(); }
  const void* raw() const { return buf_.get(); }

  // Typed access; throws Error(Internal) if T does not match dtype().
  template <class T> T* data() {
    check_dtype(dtype_of<T>());
    return static_cast<T*>(raw());
  }
  template <class T> const T* data() const {
    check_dtype(dtype_of<T>());
    return static_cast<const T*>(raw());
  }

  Tensor clone() const;
  // Same buffer, new shape with the same element count.
  Tensor reshaped(Shape shape) const;

 private:
  Tensor(DType dtype, Shape shape, bool zero);
  void check_dtype(DType want) const;

  DType dtype_ = DType::f32;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<uint8_t> buf_;
};

}  // namespace textq
