// Winograd F(4x4, 3x3) convolution on NHWC f32 activations (AVX-512, or
// AVX2 + FMA), for 3x3 stride-1 dense convs. oneDNN 2.6's own Winograd kernel reads nChw16c
// only, which would force a reorder around every such conv in the nhwc graph
// (or the whole graph into nChw16c, where the phase deconvs cannot run); this
// one works in place in the graph's layout.
//
// Per 6x6 input tile (stride 4), per channel: V = B^T d B; per tile point
// (36 of them) a GEMM M[t][oc] = sum_ic V[t][ic] U[ic][oc] with U = G g G^T
// (weights transformed once); output tile = A^T M A, then bias, residual and
// ReLU in the same pass. 4x fewer multiplications than direct convolution;
// the transforms add rounding (a few 1e-6 relative per layer).
//
// Tiles are processed in chunks so the transformed tiles (V, M) stay within a
// bounded scratch buffer. Layers with small weights give each thread its own
// chunks (dynamic schedule, no barrier inside the layer: steady when the
// machine is shared); layers with big weights run each phase over a large
// chunk with all threads, so the weights are streamed once per chunk.
#pragma once

#include <cstddef>
#include <cstdint>

#include "textq/tensor.h"

namespace textq::onednn {

struct WinogradGeometry {
  int64_t n = 1, ih = 0, iw = 0, ic = 0;  // src NHWC
  int64_t oh = 0, ow = 0, oc = 0;         // the conv's output (dst NHWC and residual unless shuffled)
  int pad_top = 0, pad_left = 0;          // bottom/right padding is implied by oh/ow
  // > 0: pixel shuffle on store, for a k4 s2 p1 deconv with this many output
  // channels run as this conv (winograd_deconv_k4s2_weights): dst is NHWC
  // [n][2 oh][2 ow][shuffle_oc]; conv channel (2 ry + rx) (oc / 4) + o of
  // pixel (y, x) lands on pixel (2 y + ry, 2 x + rx), channel o (o < shuffle_oc;
  // the rest are padding). oc / 4 must be a multiple of
  // winograd_f43_vector_width(); no residual.
  int64_t shuffle_oc = 0;
};

// True when the CPU runs AVX-512F, or AVX2 and FMA (the f32 kernel picks the
// wider one it has); the bf16 variants need AVX-512 F, BW, VL and BF16.
bool winograd_f43_supported();
// "avx512" or "avx2": the f32 kernel winograd_f43_run uses on this CPU.
const char* winograd_f43_isa();
bool winograd_f43_bf16_supported();

// Weights [OC, IC, 3, 3] f32 -> the transformed panels the kernel reads
// (36 points x OC blocks of up to 64 x IC rounded up to 16, zero padded).
Tensor winograd_f43_weights(const Tensor& weight);

// f32 lanes of the kernel winograd_f43_run uses on this CPU (16 or 8).
int64_t winograd_f43_vector_width();
// Elements of winograd_f43_weights' result (f32) or of the bf16 one for an
// [oc, ic, 3, 3] conv.
int64_t winograd_f43_weight_count(int64_t ic, int64_t oc);

// A ConvTranspose k4 s2 p1 (PyTorch weights [IC, OC, 4, 4] f32) as a 3x3
// pad 1 conv [4 P, IC, 3, 3], P >= OC output channels per phase (the rest
// zero): output row 2m + r only sees input rows m - 1 .. m + 1 (kernel row
// r + 1 - 2d for input row m + d, none where that falls outside 0..3), so
// each phase is a 3x3 window with 4 of its 9 taps non-zero. Run with
// shuffle_oc = OC to write the deconv's output.
Tensor winograd_deconv_k4s2_weights(const Tensor& deconv_weight, int64_t phase_channels);

// Scratch bytes run() needs for this geometry and thread count (V and M of a
// chunk, per thread when the threads work on private chunks).
size_t winograd_f43_scratch_bytes(const WinogradGeometry& g, int threads);

// dst = act(conv(src) + bias + residual); bias and residual may be null.
// src, dst, residual: dense NHWC f32; `scratch`: winograd_f43_scratch_bytes
// bytes, 64-byte aligned. dst may alias residual (each output element is read
// then written by the same thread), never src.
// `threads`: the OpenMP team size, the same as given to winograd_f43_scratch_bytes.
void winograd_f43_run(const WinogradGeometry& g, int threads, const float* src, const float* weights,
                      const float* bias, const float* residual, bool relu, float* dst, float* scratch);
// The kernels winograd_f43_run chooses between (AVX-512; AVX2 + FMA).
void winograd_f43_run_avx512(const WinogradGeometry& g, int threads, const float* src, const float* weights,
                             const float* bias, const float* residual, bool relu, float* dst, float* scratch);
void winograd_f43_run_avx2(const WinogradGeometry& g, int threads, const float* src, const float* weights,
                           const float* bias, const float* residual, bool relu, float* dst, float* scratch);
// The same with bf16 activations (uint16_t bits: src, residual, dst, read
// into f32 and rounded to nearest even on the way out); transforms and GEMM
// stay f32, so the only extra error is the activations' bf16 rounding.
void winograd_f43_run_bf16(const WinogradGeometry& g, int threads, const uint16_t* src, const float* weights,
                           const float* bias, const uint16_t* residual, bool relu, uint16_t* dst, float* scratch);

// bf16 GEMM variant (about 2x the GEMM speed, ~13x the rounding error of a
// direct bf16 conv): weights from winograd_f43_weights_bf16 (the same
// transform rounded to bf16, input channels interleaved in pairs), the
// transformed tiles rounded to bf16, vdpbf16ps with f32 accumulation.
Tensor winograd_f43_weights_bf16(const Tensor& weight);
void winograd_f43_run_bf16_gemm(const WinogradGeometry& g, int threads, const uint16_t* src, const uint16_t* weights,
                                const float* bias, const uint16_t* residual, bool relu, uint16_t* dst, float* scratch);

}  // namespace textq::onednn
