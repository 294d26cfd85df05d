// Liveness-based reuse of activation buffers for one input shape.
// Planning hands out buffer ids; allocate() then creates one 64-byte aligned
// block per id, sized for the largest tensor that ever lived in it. A dead
// value's buffer is reused by later values, so the ResNet-50 + FPN-UNet graph
// needs a handful of buffers instead of one per value.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace textq::onednn {

class BufferPlanner {
 public:
  // A buffer of at least `bytes`: the smallest free one that fits, else the
  // largest free one grown to fit, else a new one.
  int acquire(size_t bytes);
  void release(int id);
  // Allocates every planned buffer (zero-filled) and returns their base pointers by id.
  void allocate();
  void* data(int id) const { return blocks_.at(static_cast<size_t>(id)).get(); }
  size_t total_bytes() const;
  int count() const { return static_cast<int>(capacity_.size()); }

 private:
  struct FreeDeleter {
    void operator()(void* p) const;
  };
  std::vector<size_t> capacity_;
  std::vector<bool> in_use_;
  std::vector<std::unique_ptr<void, FreeDeleter>> blocks_;
};

}  // namespace textq::onednn
