// scikit-image 0.19 `skeletonize` (2-D default method) on a binary mask.
#pragma once

#include <cstdint>
#include <vector>

namespace textq {

// mask: rows x cols bytes, non-zero = foreground, row-major. Returns a mask
// of the same size with 1 on skeleton pixels, 0 elsewhere (bit-identical to
// skimage.morphology.skeletonize). Throws Error(InvalidArgument) on a negative
// size or a buffer smaller than rows*cols.
std::vector<uint8_t> skeletonize(const std::vector<uint8_t>& mask, int rows, int cols);

}  // namespace textq
