// Bit-exact re-implementations of the two NumPy routines whose results leak
// into MMOCR's TextSnake decode: the default argsort (its tie order decides
// which disk leads a merge) and the float32 sum (the instance score).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace textq {

// numpy.argsort(v) with the default kind ('quicksort' = NumPy <= 1.24's
// generic introsort for float64, not stable). Ties come out in NumPy's order;
// NaN sorts last as in NumPy.
std::vector<int64_t> numpy_argsort_f64(const std::vector<double>& v);

// numpy.sum over a C-contiguous float32 array of n elements: float32
// accumulation of the pairwise sums of consecutive 8192-element blocks.
float numpy_sum_f32(const float* data, size_t n);

// The block structure of numpy_sum_f32: acc = 0.0f; for each consecutive block
// of kNumpySumBlock elements (the last may be shorter) acc += the block's
// pairwise sum (numpy_pairwise_sum_f32). A block of +0.0f sums to +0.0f, and
// acc + 0.0f == acc for the non-negative-zero acc this starts from, so callers
// may skip all-zero blocks and still get the same bits.
constexpr size_t kNumpySumBlock = 8192;  // NPY_BUFSIZE
float numpy_pairwise_sum_f32(const float* data, size_t n);

}  // namespace textq
