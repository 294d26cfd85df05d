// INT8 convolution for a few output channels (8 or 24: not a multiple of 16),
// stride 1, groups 1, NHWC u8/s8 in, NHWC f32/u8/s8 out. oneDNN 2.6 gives
// such convs to kernels whose lanes are 16 output channels, so a third (24)
// or half (8) of every vpdpbusd is padding: PP-OCRv4's neck and head 3x3s
// (96 -> 24 at a quarter of the input's resolution) ran at ~70 % of the
// VNNI rate. Here the lanes are 8 output channels in ymm registers, which
// AVX-512 VL runs at the zmm MAC rate on CPUs that split zmm into two 256-bit
// halves (AMD Zen 4): 24 channels are three full vectors.
//
// Per task of 8 output rows, the thread copies their input rows into a
// zero-padded u8 buffer of its own (s8 inputs shifted by +128, as vpdpbusd
// multiplies u8 by s8; 128 * sum(w) is taken off again per output channel),
// so the inner loop has no border tests and reads rows still in cache. Per
// output row, blocks of 8 pixels accumulate every tap and input quad:
// vpdpbusd(acc[pixel][vector], the pixel's 4 input bytes broadcast, 4 x 8
// weights).
//
// Arithmetic as oneDNN 2.6's INT8 conv: exact int32 sums, then
// oscale[oc] * (float(acc) + bias[oc]) (conv_quant.h), ReLU, and for an
// integer dst clamping to its range and rounding to nearest even.
#pragma once

#include <cstddef>
#include <cstdint>

#include "backends/onednn/int8_kernel.h"
#include "textq/tensor.h"

namespace textq::onednn {

struct ConvNarrowGeometry {
  int64_t n = 1, ic = 0, ih = 0, iw = 0;  // src NHWC; ic a multiple of 4
  int64_t oc = 0, oh = 0, ow = 0;         // dst NHWC; oc 8 or 24
  int kh = 1, kw = 1, pad_top = 0, pad_left = 0;  // stride 1; bottom/right padding implied by oh, ow
};

// True when the CPU runs AVX-512 F, BW, VL and VNNI.
bool conv_int8_narrow_supported();
// Whether the kernel takes this shape (oc 8 or 24, ic a multiple of 4).
bool conv_int8_narrow_fits(int64_t ic, int64_t oc);

// Weights [OC, IC, KH, KW] s8 -> [KH][KW][IC/4][OC][4] s8 (four input
// channels of one output channel side by side, as vpdpbusd reads them).
Tensor conv_int8_narrow_weights(const Tensor& weight);

// Scratch bytes run() needs: each thread's padded input rows.
size_t conv_int8_narrow_scratch_bytes(const ConvNarrowGeometry& g, int threads);

// dst = the epilogue e (int8_kernel.h) of each sum; src u8 or s8, dst any
// Int8Type. `threads`: the OpenMP team size.
void conv_int8_narrow_run(const ConvNarrowGeometry& g, int threads, const void* src, Int8Type src_type,
                          const int8_t* weights, const Int8Epilogue& e, void* dst, uint8_t* scratch);

}  // namespace textq::onednn
