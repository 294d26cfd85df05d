// Plain copies of NHWC pixels into strided places of another map: channel
// concatenation (every pixel's channels of each input go to their slice of
// the output's pixel) and the interleave of a strided deconv's phases (each
// phase's pixels go to every s-th row and column of the output). oneDNN 2.6
// runs the first as its generic `simple:any` concat or one strided reorder per
// input (1.3-2.4 ms for R50's INT8 neck concats and 0.9-1.9 ms for
// PP-OCRv4's at 736x1280, for copies of a few MB), the second as strided
// reorders at 8-16 GB/s.
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

// src: a dense NHWC map of n x h x w pixels, `pixel_bytes` each; pixel
// (i, y, x) goes to dst + i * image_stride + y * row_stride + x * pixel_stride
// (byte strides; nothing else of dst is written). `threads`: the team size.
void copy_pixels_strided(const void* src, int64_t n, int64_t h, int64_t w, size_t pixel_bytes, void* dst,
                         size_t image_stride, size_t row_stride, size_t pixel_stride, int threads);

}  // namespace textq::onednn
