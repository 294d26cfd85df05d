#include "textdet/byte_tables.h"

#include <algorithm>
#include <cstdint>

namespace textq {

void planes_from_byte_tables(const cv::Mat& bgr, const ByteTables& tables, bool to_rgb, float* dst, int out_h,
                             int out_w) {
  const int h = bgr.rows, w = bgr.cols;
  const size_t plane = static_cast<size_t>(out_h) * out_w;
  // One pass over each image row (read once, three planes written).
  const float* t0 = tables[0].data();
  const float* t1 = tables[1].data();
  const float* t2 = tables[2].data();
  const int s0 = to_rgb ? 2 : 0, s2 = to_rgb ? 0 : 2;
  for (int y = 0; y < h; ++y) {
    const uint8_t* px = bgr.ptr<uint8_t>(y);
    float* o0 = dst + static_cast<size_t>(y) * out_w;
    float* o1 = o0 + plane;
    float* o2 = o1 + plane;
    for (int x = 0; x < w; ++x, px += 3) {
      o0[x] = t0[px[s0]];
      o1[x] = t1[px[1]];
      o2[x] = t2[px[s2]];
    }
    std::fill(o0 + w, o0 + out_w, 0.0f);
    std::fill(o1 + w, o1 + out_w, 0.0f);
    std::fill(o2 + w, o2 + out_w, 0.0f);
  }
  for (int c = 0; c < 3; ++c)
    std::fill(dst + c * plane + static_cast<size_t>(h) * out_w, dst + (c + 1) * plane, 0.0f);
}

}  // namespace textq
