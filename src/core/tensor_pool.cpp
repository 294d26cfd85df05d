#include "core/tensor_pool.h"

namespace textq {

Tensor TensorPool::take(DType dtype, const Shape& shape) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Tensor& t : kept_)
    if (t.sole_owner() && t.dtype() == dtype && t.shape() == shape) return t;
  Tensor fresh = Tensor::uninitialized(dtype, shape);
  if (kept_.size() < capacity_) {
    kept_.push_back(fresh);
    return fresh;
  }
  for (Tensor& t : kept_) {
    if (t.sole_owner()) {  // idle, of another shape: the new shape is the likelier next
      t = fresh;
      break;
    }
  }
  return fresh;
}

size_t TensorPool::kept() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return kept_.size();
}

Tensor take_or_new(TensorPool* pool, DType dtype, const Shape& shape) {
  return pool ? pool->take(dtype, shape) : Tensor::uninitialized(dtype, shape);
}

}  // namespace textq
