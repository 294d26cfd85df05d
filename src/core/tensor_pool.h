// Large per-run buffers handed out again once nobody holds them.
//
// A pipeline that allocates its image-sized tensors anew for every image (an
// 11.6 MB input, an 18.8 MB output at 736x1312) keeps growing the heap over
// its first images, while buffers of earlier images are still in flight: on
// the virtual machines we measure on, each new page costs a 10-15 us fault, so
// each new tensor 30-45 ms of CPU that the network running beside it loses.
// Reusing a few buffers reaches the steady state after the first image.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "textq/tensor.h"

namespace textq {

class TensorPool {
 public:
  explicit TensorPool(size_t capacity) : capacity_(capacity) {}
  TensorPool(const TensorPool&) = delete;
  TensorPool& operator=(const TensorPool&) = delete;

  // A tensor of this dtype and shape with unspecified contents: a kept one no
  // other Tensor shares (Tensor::sole_owner), else a new one, kept while the
  // pool has room or in place of a kept one nobody holds. Thread-safe.
  Tensor take(DType dtype, const Shape& shape);

  size_t kept() const;

 private:
  mutable std::mutex mutex_;
  const size_t capacity_;
  std::vector<Tensor> kept_;
};

// pool->take(dtype, shape), or a new uninitialized tensor without a pool.
Tensor take_or_new(TensorPool* pool, DType dtype, const Shape& shape);

}  // namespace textq
