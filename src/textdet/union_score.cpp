#include "textdet/union_score.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "textdet/numpy_compat.h"
#include "textdet/sigmoid.h"


namespace textq {

// The full-frame sum adds, block by block, the pairwise sums of 8192-element
// row-major blocks of Z*T. Only blocks that hold a set pixel of Z can be
// non-zero; every other block is all +0.0f, sums to +0.0f and leaves the
// accumulator unchanged (numpy_compat.h). So each block meeting a set pixel is
// rebuilt in full (zeros included, so the pairwise grouping is the frame's)
// and summed; the rest are skipped.
double union_text_score(const cv::Mat& z, cv::Point origin, const float* text_logit, int h, int w) {
  const size_t W = static_cast<size_t>(w);
  const int wx0 = std::max(0, origin.x), wy0 = std::max(0, origin.y);
  const int wx1 = std::min(w, origin.x + z.cols), wy1 = std::min(h, origin.y + z.rows);
  if (wx1 <= wx0 || wy1 <= wy0) return 0.0 / (0.0 + 1e-8);
  const size_t first = (wy0 * W + wx0) / kNumpySumBlock;
  const size_t last = ((wy1 - 1) * W + (wx1 - 1)) / kNumpySumBlock;
  const size_t n = static_cast<size_t>(h) * W;
  std::vector<float> block(kNumpySumBlock);
  float acc = 0.0f;
  uint64_t count = 0;
  for (size_t b = first; b <= last; ++b) {
    const size_t s = b * kNumpySumBlock, e = std::min(n, s + kNumpySumBlock);
    std::fill(block.begin(), block.begin() + (e - s), 0.0f);
    bool any = false;
    const int ry0 = std::max<int>(wy0, static_cast<int>(s / W));
    const int ry1 = std::min<int>(wy1 - 1, static_cast<int>((e - 1) / W));
    for (int y = ry0; y <= ry1; ++y) {
      const uint8_t* zr = z.ptr<uint8_t>(y - origin.y);
      const size_t row = y * W;
      // the part of this row's window that lies in the block
      const size_t lo = std::max(row + wx0, s), hi = std::min(row + wx1, e);
      for (size_t i = lo; i < hi; ++i) {
        if (!zr[i - row - origin.x]) continue;
        block[i - s] = sigmoid1_f32(text_logit[i]);
        ++count;
        any = true;
      }
    }
    if (any) acc += numpy_pairwise_sum_f32(block.data(), e - s);
  }
  return static_cast<double>(acc) / (static_cast<double>(count) + 1e-8);
}

}  // namespace textq
