// INT8 convolution for a network's first layer: a few input channels, a wide
// window (ResNet's 7x7 stride 2 over the 3-channel image), output channels in
// blocks of 64, optionally followed by the max pool that reads it.
//
// oneDNN 2.6 runs ResNet's stem as brgconv with the 3 input channels padded
// to 4, a quarter of its multiplies on padding, at ~50 % of the VNNI rate
// (docs/backends.md). Here the reduction runs along a kernel row instead:
// in NHWC the kw taps x ic channels one output pixel reads from an input row
// are kw*ic consecutive bytes (7 x 3 = 21), taken as ceil(kw*ic / 4) dwords
// (6: 24 bytes, the last 3 multiplied by zero weights). Per block of 6
// output pixels and 64 channels, every dword is broadcast once and feeds 4
// vpdpbusd of 16 channels (24 accumulators).
//
// Each thread takes a contiguous band of output rows and keeps the kh input
// rows they read padded in its own ring (s8 input shifted by +128, as
// vpdpbusd multiplies u8 by s8; 128 * sum(w) is taken off again). With the
// pool, conv rows go to a second ring of pool_k rows and only pooled rows
// are written: the conv output (15 MB for R50 at 736x1280) never reaches
// memory.
//
// Arithmetic as oneDNN 2.6's INT8 conv: exact int32 sums, then
// oscale[oc] * (float(acc) + bias[oc]) (conv_quant.h), ReLU, clamping to the
// dst type's range and rounding to nearest even. The pool takes the max of
// the integers (padding excluded, which for u8 equals padding with 0).
#pragma once

#include <cstddef>
#include <cstdint>

#include "backends/onednn/int8_kernel.h"
#include "textq/tensor.h"

namespace textq::onednn {

constexpr int kStemMaxRowDwords = 8;  // kw * ic up to 32 bytes per kernel row
constexpr int kStemMaxKernel = 11;    // kh up to 11

struct StemGeometry {
  int64_t n = 1, ic = 0, ih = 0, iw = 0;    // src NHWC u8 or s8, dense
  int64_t oc = 0, oh = 0, ow = 0;           // conv output; oc a multiple of 64
  int kh = 1, kw = 1, stride = 1, pad_top = 0, pad_left = 0;  // bottom / right padding implied by oh, ow
  // Max pool on the conv output (u8 only): pool_k x pool_k, stride, padding.
  bool pool = false;
  int pool_k = 1, pool_stride = 1, pool_pad = 0;
  int64_t ph = 0, pw = 0;                   // pool output
};

// True when the CPU runs AVX-512 F, BW and VNNI.
bool conv_int8_stem_supported();
// Whether the kernel takes this conv (and, when g.pool, this pool): 1 <= kw*ic
// <= 32 bytes, kh <= 11, oc a multiple of 64, pool window 1..3 with its
// padding below the window and every window overlapping the conv output.
bool conv_int8_stem_fits(const StemGeometry& g);

// Weights [OC, IC, KH, KW] s8 -> [OC/64][KH][dwords][64][4] s8: dword q of
// kernel row ky holds bytes 4q..4q+3 of that row in NHWC order (kx * ic + c),
// zero past kw * ic. Throws InvalidArgument for another type or rank.
Tensor conv_int8_stem_weights(const Tensor& weight);
// Bytes of that tensor for these dims.
int64_t conv_int8_stem_weight_count(int64_t oc, int64_t ic, int64_t kh, int64_t kw);

// Scratch bytes run() needs: each thread's rings of padded input rows and conv rows.
size_t conv_int8_stem_scratch_bytes(const StemGeometry& g, int threads);

// dst (NHWC; the pool's output when g.pool) = the epilogue e (int8_kernel.h)
// of each sum; src and e.dst_type u8 or s8 (u8 with the pool). `threads`: the
// OpenMP team size, for both scratch and run.
void conv_int8_stem_run(const StemGeometry& g, int threads, const void* src, Int8Type src_type, const int8_t* weights,
                        const Int8Epilogue& e, void* dst, uint8_t* scratch);

}  // namespace textq::onednn
