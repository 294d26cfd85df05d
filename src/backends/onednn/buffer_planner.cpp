#include "backends/onednn/buffer_planner.h"

#include <cstdlib>
#include <cstring>

#include "textq/error.h"

namespace textq::onednn {

namespace {
constexpr size_t kAlignment = 64;  // one cache line; what oneDNN's own allocator uses
}

void BufferPlanner::FreeDeleter::operator()(void* p) const { std::free(p); }

int BufferPlanner::acquire(size_t bytes) {
  int best_fit = -1, largest = -1;
  for (size_t i = 0; i < capacity_.size(); ++i) {
    if (in_use_[i]) continue;
    const int id = static_cast<int>(i);
    if (capacity_[i] >= bytes && (best_fit < 0 || capacity_[i] < capacity_[static_cast<size_t>(best_fit)])) best_fit = id;
    if (largest < 0 || capacity_[i] > capacity_[static_cast<size_t>(largest)]) largest = id;
  }
  int id = best_fit >= 0 ? best_fit : largest;
  if (id < 0) {
    capacity_.push_back(0);
    in_use_.push_back(false);
    id = static_cast<int>(capacity_.size()) - 1;
  }
  if (capacity_[static_cast<size_t>(id)] < bytes) capacity_[static_cast<size_t>(id)] = bytes;
  in_use_[static_cast<size_t>(id)] = true;
  return id;
}

void BufferPlanner::release(int id) { in_use_.at(static_cast<size_t>(id)) = false; }

void BufferPlanner::allocate() {
  blocks_.clear();
  for (size_t bytes : capacity_) {
    const size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    void* p = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
    if (!p)
      throw Error(ErrorKind::Internal, "oneDNN backend: out of memory allocating an activation buffer of " +
                                           std::to_string(bytes) + " bytes");
    // Zeroed so the padding channels of blocked layouts (e.g. 13 -> 16) start clean.
    std::memset(p, 0, rounded);
    blocks_.emplace_back(p);
  }
}

size_t BufferPlanner::total_bytes() const {
  size_t sum = 0;
  for (size_t b : capacity_) sum += b;
  return sum;
}

}  // namespace textq::onednn
