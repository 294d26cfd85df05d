// f32 NCHW -> u8/s8 NHWC with a scale, for maps of 1 to 4 channels (an
// image entering an INT8 stem). oneDNN 2.6 runs this transposing reorder at
// ~1.7-2.0 ms for a 736x1280 RGB input inside a network run, at 1 or 2
// threads (1.8 / 0.6 ms with the image in cache); this loop reads each plane
// once with 16-lane loads and writes every pixel's channels with one byte
// permute (0.7 / 0.15 ms in cache).
//
// Arithmetic as oneDNN's reorder: x * scale in f32, rounded to nearest even,
// saturated to the type's range (NaN gives 127 in s8 and 0 in u8, as in oneDNN).
#pragma once

#include <cstdint>

namespace textq::onednn {

// True when the CPU runs AVX-512 BW and VBMI (masked byte stores, vpermb).
bool quantize_planes_supported();

// src: [n, c, h, w] dense f32; dst: [n, h, w, c] dense bytes, s8 when
// `is_signed` else u8; 1 <= c <= 4. `threads`: the OpenMP team size.
void quantize_planes(const float* src, int64_t n, int64_t c, int64_t h, int64_t w, float scale, bool is_signed,
                     void* dst, int threads);

}  // namespace textq::onednn
