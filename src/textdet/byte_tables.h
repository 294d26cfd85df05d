// Normalising an 8-bit image through per-channel tables: every output value
// depends only on the input byte, so the 256 results are computed once per
// channel with the exact expression the pipeline specifies, and each pixel is
// a table lookup (bit for bit the per-pixel expression, ~3x faster).
#pragma once

#include <array>

#include <opencv2/core.hpp>

namespace textq {

// tables[c][v]: output channel c's value for byte v of the image channel it reads.
using ByteTables = std::array<std::array<float, 256>, 3>;

// bgr: CV_8UC3, h x w with h <= out_h, w <= out_w. Writes the three
// out_h x out_w planes of dst (plane c = tables[c] of image channel
// to_rgb ? 2 - c : c), and zeros right of and below the image.
void planes_from_byte_tables(const cv::Mat& bgr, const ByteTables& tables, bool to_rgb, float* dst, int out_h,
                             int out_w);

}  // namespace textq
