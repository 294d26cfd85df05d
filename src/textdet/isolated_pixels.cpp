#include "textdet/isolated_pixels.h"

#include <cstdint>
#include <cstring>

#include "textq/error.h"

namespace textq {

namespace {

// Any non-zero byte among row[x0, x1] (both inside the row).
bool any_set(const uint8_t* row, int x0, int x1) {
  for (int x = x0; x <= x1; ++x)
    if (row[x]) return true;
  return false;
}

}  // namespace

int clear_isolated_pixels(cv::Mat& mask) {
  if (mask.type() != CV_8U)
    throw Error(ErrorKind::InvalidArgument, "clear_isolated_pixels: expected an 8-bit single-channel mask");
  const int h = mask.rows, w = mask.cols;
  int cleared = 0;
  for (int y = 0; y < h; ++y) {
    uint8_t* row = mask.ptr<uint8_t>(y);
    const uint8_t* above = y > 0 ? mask.ptr<uint8_t>(y - 1) : nullptr;
    const uint8_t* below = y + 1 < h ? mask.ptr<uint8_t>(y + 1) : nullptr;
    int x = 0;
    while (x < w) {
      // Skip zero bytes eight at a time: trained models' masks are mostly background.
      if (x + 8 <= w) {
        uint64_t chunk;
        std::memcpy(&chunk, row + x, sizeof chunk);
        if (chunk == 0) {
          x += 8;
          continue;
        }
      }
      if (row[x]) {
        const int x0 = x > 0 ? x - 1 : x, x1 = x + 1 < w ? x + 1 : x;
        const bool joined = (x0 < x && row[x0]) || (x1 > x && row[x1]) || (above && any_set(above, x0, x1)) ||
                            (below && any_set(below, x0, x1));
        if (!joined) {
          row[x] = 0;
          ++cleared;
        }
      }
      ++x;
    }
  }
  return cleared;
}

}  // namespace textq
