// Channel concatenation of dense NHWC maps of one element type, by plain
// copies: every pixel's channels of each input go to their slice of the
// output's pixel. oneDNN 2.6 runs this as its generic `simple:any` concat,
// or as one strided reorder per input: 1.3-2.4 ms for R50's INT8 neck
// concats and 0.9-1.9 ms for PP-OCRv4's at 736x1280, for copies of a few MB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace textq::onednn {

struct ConcatPart {
  const void* src = nullptr;  // NHWC, `bytes` per pixel
  size_t bytes = 0;           // channels x element size
  size_t offset = 0;          // where its channels start in an output pixel, in bytes
};

// True when the CPU runs AVX-512 BW (the kernel's masked byte moves).
bool concat_channels_supported();

// dst: `pixels` pixels (N x H x W) of `row` bytes each; each part is copied
// to its offset in every pixel (the bytes no part covers are not written).
// `threads`: the OpenMP team size.
void concat_channels(const std::vector<ConcatPart>& parts, int64_t pixels, void* dst, size_t row, int threads);

}  // namespace textq::onednn
