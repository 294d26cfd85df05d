// INT8 ConvTranspose 4x4, stride 2, pad 1 with a handful of output channels,
// u8 NHWC in, f32 NCHW out: TextSnake's folded head (the last deconv with the
// 32 -> 5 output 1x1 folded into it, ir/fold_pointwise.h), which writes the
// five full-resolution maps the decoder reads.
//
// As phase convs (lower_deconv_phases.cpp) this layer is oneDNN's worst
// shape: 5 output channels padded to 16 inside brgemm, four phase outputs
// interleaved by strided reorders, and an nhwc -> NCHW reorder of the graph
// output after it (~10 ms of R50 at 736x1280, 2 threads). Here the lanes are
// 16 neighbouring input columns instead of output channels, so no lane is
// padding: per input quad of channels (4 u8 = one dword) the input rows are
// transposed once into [quad][column] dwords, and each output pixel
// (2m + ry, 2n + rx) accumulates its 2x2 taps with vpdpbusd from three
// shifted loads of rows m-1, m, m+1. Even and odd output columns are
// interleaved in registers and stored straight into the NCHW planes.
//
// Arithmetic as oneDNN 2.6's INT8 conv with an f32 dst: exact int32 sums,
// then dst = oscale[oc] * (float(acc) + bias[oc]) (conv_quant.h), then ReLU.
#pragma once

#include <cstddef>
#include <cstdint>

#include "textq/tensor.h"

namespace textq::onednn {

constexpr int64_t kDeconvK4S2MaxOc = 6;  // 4 phases x OC accumulators must fit the 32 vector registers

struct DeconvK4S2Geometry {
  int64_t n = 1, ic = 0, ih = 0, iw = 0;  // src NHWC u8; ic a multiple of 4
  int64_t oc = 0;                         // dst NCHW f32, 2*ih x 2*iw; 1..kDeconvK4S2MaxOc
};

// True when the CPU runs AVX-512 F, BW and VNNI (the kernel's instructions).
bool deconv_k4s2_int8_supported();

// PyTorch ConvTranspose weights [IC, OC, 4, 4] s8 -> the i32 tensor the kernel
// reads (per quad of input channels, per row/column shift and output phase,
// per output channel: the four s8 taps as one dword). Throws InvalidArgument
// for other shapes or types.
Tensor deconv_k4s2_int8_weights(const Tensor& weight);
// Elements of that tensor for ic input and oc output channels.
int64_t deconv_k4s2_int8_weight_count(int64_t ic, int64_t oc);

// Scratch bytes run() needs: three transposed input rows per thread and a zero row.
size_t deconv_k4s2_int8_scratch_bytes(const DeconvK4S2Geometry& g, int threads);

// dst[n][o][y][x] = act(oscale[o] * (float(acc) + bias[o])); bias may be null.
// `weights` from deconv_k4s2_int8_weights; `scratch` deconv_k4s2_int8_scratch_bytes
// bytes, 64-byte aligned; `threads` the OpenMP team size given to both.
void deconv_k4s2_int8_run(const DeconvK4S2Geometry& g, int threads, const uint8_t* src, const int32_t* weights,
                          const float* oscale, const float* bias, bool relu, float* dst, int32_t* scratch);

}  // namespace textq::onednn
