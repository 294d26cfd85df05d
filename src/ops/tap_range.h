// Index ranges of the reference conv / deconv loops (internal to src/ops):
// which positions i of a strided walk p = i*s + off land inside [0, extent).
// Convolution walks output positions over the input; the transposed
// convolution walks input positions over the output.
#pragma once

#include <algorithm>
#include <cstdint>

namespace textq::tap_range {

// First i >= 0 with i*s + off >= 0 (off may be negative).
inline int64_t first(int64_t off, int s) { return off >= 0 ? 0 : (-off + s - 1) / s; }

// One past the last i with i*s + off <= extent - 1, clamped to [0, limit].
inline int64_t end(int64_t off, int s, int64_t extent, int64_t limit) {
  if (extent - 1 - off < 0) return 0;
  return std::min(limit, (extent - 1 - off) / s + 1);
}

}  // namespace textq::tap_range
