// The fast backend on oneDNN 2.6 (Debian libdnnl; API v2.x, not 3.x).
// Lowers Conv / ConvTranspose (bias, residual as a sum post-op, ReLU post-op),
// MaxPool, Concat, Add and Relu to oneDNN primitives in blocked layouts.
// FP32 and INT8 (quant.enabled, docs/quantization.md) nodes mix freely: INT8
// activations stay u8/s8 between INT8 nodes; f32 <-> int conversions happen
// only where an FP32 node (or the graph input/output) meets an INT8 one.
// Primitives, packed weights and activation buffers are built once per input
// shape and cached; see docs/backends.md for the layout and memory policy.
#pragma once

#include <memory>

#include "ir/graph.h"
#include "runtime/executor.h"

namespace textq {

// Knobs that only this backend has. Defaults are what make_executor uses.
struct OneDnnTuning {
  // FP32 3x3 stride-1 dense convs as Winograd F(4x4,3x3) in nhwc (our own
  // AVX-512 or AVX2 + FMA kernel, winograd_f43.h): 4x fewer multiplications,
  // a little more rounding (a few 1e-6 relative per layer). Without either
  // ISA they stay direct.
  bool winograd = true;
  // FP32 graphs in nhwc from the conv reading the input on CPUs without
  // AVX-512. oneDNN's own choice there is nChw8c, in which strided deconvs
  // cannot run as phase convs (lower_deconv_phases.cpp) and take oneDNN's
  // backward-data kernel instead; with AVX-512 its brgconv kernels pick nhwc anyway.
  bool nhwc_before_avx512 = true;
  // FP32 ConvTranspose k4 s2 p1 on CPUs without AVX-512 as one Winograd conv
  // with 4 x OC outputs written pixel-shuffled (lower_deconv_winograd.cpp)
  // instead of four phase convs on oneDNN's jit:avx2. Not tried with AVX-512,
  // where the phase convs run brgconv.
  bool deconv_winograd_before_avx512 = true;
  // INT8 1x1 convs with a residual on oneDNN's jit_int8_1x1 kernel instead of
  // its default brgconv_1x1 (faster sum post-op; lower_conv.cpp).
  bool jit_int8_residual_1x1 = true;
  // INT8 1x1 convs without a residual on jit_int8_1x1 too (faster than
  // brgconv_1x1 on R50's downsamples and the neck's 1x1s on Zen 5, the same
  // elsewhere; docs/backends.md).
  bool jit_int8_plain_1x1 = true;
  // bf16 1x1 convs with a residual on jit_bf16_1x1 instead of brgconv_1x1
  // (same reason; about 20 ms off full-size R50 at 736x1280, 2 threads).
  bool jit_bf16_residual_1x1 = true;
  // INT8 dense convs with a window (not 1x1) whose output channels are not a
  // multiple of 16 on jit_int8 instead of oneDNN's default brgconv, which
  // pads them (PP-OCRv4's neck and head 3x3s, 96 -> 24 at 184x320: 3.8 vs
  // 4.5 ms alone, 2 threads; docs/backends.md).
  bool jit_int8_narrow_oc = true;
  // INT8 3x3 convs with IC <= 128 and IC <= 2 OC on jit_int8 instead of
  // brgconv (R50's layer1 / layer2 conv2s: 2-5 % faster on Zen 5; docs/backends.md).
  bool jit_int8_3x3 = true;
  // bf16 mode: which Winograd layers run their GEMM in bf16 (vdpbf16ps on
  // bf16 transformed tiles and weights; ~13x the rounding error of a direct
  // bf16 conv, the F(4,3) transforms amplifying it) instead of f32:
  //  - Never: all f32 GEMMs (bf16 only in and out of the layer);
  //  - Deep: layers computed after the graph reached 1/16 of the input's
  //    resolution (ResNet stage 3 on and the neck); earlier layers' rounding
  //    passes through the most layers (docs/backends.md, bf16);
  //  - Always: every Winograd layer.
  enum class Bf16WinogradGemm { Never, Deep, Always };
  Bf16WinogradGemm bf16_winograd_gemm = Bf16WinogradGemm::Deep;
  // FP32 1x1 convs that make a graph output from a linear Conv/ConvTranspose
  // read by nothing else (TextSnake's head after the last deconv) run folded
  // into it (ir/fold_pointwise.h): exact in real arithmetic, f32 rounding of
  // the folded weights aside, and the 32-channel full-resolution map between
  // them is never written (~40 ms of R50 at 736x1280, 2 threads). Runs with an
  // observer always see the graph as given.
  bool fold_output_pointwise = true;
  // An INT8 ConvTranspose 4x4 stride 2 pad 1 with at most 6 output channels
  // making an f32 graph output (the folded TextSnake head) on our own AVX-512
  // VNNI kernel (deconv_k4s2_int8.h) instead of oneDNN phase convs: no padded
  // output channels, no interleave and NCHW written directly (~8 ms of R50 at
  // 736x1280, 2 threads). Without AVX-512 VNNI the phase convs run it.
  bool int8_deconv_k4s2_kernel = true;
  // A ConvTranspose with kernel == stride and no padding (DB heads' k2 s2)
  // as one 1x1 conv with stride² · OC channels and one strided reorder
  // (lower_deconv_pixel_shuffle.cpp) instead of stride² phase convs that
  // each read the whole input.
  bool deconv_pixel_shuffle = true;
  // Elementwise work runs as post-ops of the node before it (epilogue.h):
  // chains right after a conv (Sigmoid, HardSigmoid, HardSwish, Clip,
  // Affine) and Adds after an Add or Mul, each link the only reader of the
  // value before it; and such a fused node (or a plain Add / Mul) whose
  // result feeds only INT8 convs agreeing on type and scale writes their
  // integers directly. PP-OCRv4's conv -> HardSwish -> Affine links and
  // squeeze-excitation tails stop making f32 passes over the map and
  // quantizing reorders. Same arithmetic in f32; runs with an observer
  // always see every node's own output.
  bool fuse_epilogues = true;
  // With fuse_epilogues: an Add / Mul read only by an Add moves to just
  // before it (epilogue.h, sink_binary_chains), so a squeeze-excitation tail
  // and the FPN Add after it, whose operand is made later, fuse as one chain.
  bool sink_binary_chains = true;
  // A GlobalAveragePool of a linear 1x1 conv's output averages the conv's
  // input and runs the 1x1 on that mean (ir/pool_before_pointwise.h): the
  // squeeze-excitation pools of PP-OCRv4's neck read 12 channels instead of
  // 96 in f32. Exact in real arithmetic (f32 sums round differently); runs
  // with an observer always see the graph as given.
  bool pool_before_pointwise = true;
  // With fuse_epilogues: a conv's chain may also take a Mul by a [1, C, 1, 1]
  // gate and Adds of maps its own shape (binary post-ops), a gated skip
  // x + x * g becomes x * (g + 1) (ir/residual_gate.h) and a conv read only
  // by such a Mul / Add moves next to it (sink_binary_chains). With the pool
  // moved before the 1x1 (above), a squeeze-excitation block after a 1x1
  // conv runs inside the conv: its f32 output, the Mul's pass over it and the
  // FPN Add's are gone (PP-OCRv4's neck). Same arithmetic up to f32 rounding.
  bool conv_binary_epilogues = true;
  // A Concat in nhwc copies the inputs already in its type and scale into
  // their channel slices with our own AVX-512 loop (concat_channels.h)
  // instead of oneDNN's concat (`simple:any`) or one strided reorder each.
  bool concat_copy_kernel = true;
  // A strided deconv's phases (lower_deconv_phases.cpp) interleaved into its
  // nhwc output by our pixel copy instead of oneDNN strided reorders.
  bool phase_copy_kernel = true;
  // f32 NCHW -> u8/s8 NHWC of 1-4 channels (the image entering an INT8
  // stem) on our own loop (quantize_planes.h) instead of oneDNN's reorder,
  // ~1.7-2.0 ms of R50's stem at 736x1280 at 1 or 2 threads.
  bool quantize_planes_kernel = true;
  // INT8 stride-1 convs with 8 or 24 output channels (and no residual or
  // post-op chain) on our own kernel with 8-channel ymm lanes
  // (conv_int8_narrow.h) instead of oneDNN's 16-channel blocks, a third of
  // which are padding at 24 (PP-OCRv4's neck and head 3x3s, 96 -> 24).
  // Without AVX-512 VNNI oneDNN runs them.
  bool int8_narrow_kernel = true;
  // INT8 convs with a few input channels and a wide window (ResNet's 7x7
  // stride-2 stem over the image; kw * ic <= 32 bytes, OC a multiple of 64)
  // on our own kernel (conv_int8_stem.h) instead of brgconv, which pads 3
  // input channels to 4; when fusing, with the max pool reading it computed
  // on the way, so the conv output is never stored. Without AVX-512 VNNI
  // oneDNN runs them.
  bool int8_stem_kernel = true;
};

// Verifies the graph and keeps a copy of it (weights are shared, not copied;
// a folded output 1x1, see OneDnnTuning, gets its fused weights made once).
// Throws Error(InvalidFile) for an INT8 node with bad types or scales.
// The executor is not thread-safe: one run() at a time.
std::unique_ptr<Executor> make_onednn_executor(const Graph& graph, const ExecOptions& options,
                                               const OneDnnTuning& tuning = OneDnnTuning{});

// True when oneDNN's INT8 kernels on this CPU sum u8 x s8 products exactly in
// int32: a VNNI dot product (AVX-512 VNNI, AVX-VNNI). Before VNNI (AVX2,
// AVX-512 Skylake) oneDNN 2.6 multiplies byte pairs with vpmaddubsw, whose
// int16 pair sum saturates, and halves the weights of convs with an s8 input
// to keep those pairs in range (oneDNN doc/advanced/int8_computations.md):
// INT8 outputs can then differ from docs/quantization.md §2 (measured in §3).
bool onednn_int8_sums_exact();

// Counters for tests and benches.
struct OneDnnStats {
  int plans_built = 0;              // primitive sets built so far (one per new input shape)
  int plans_cached = 0;             // kept now (least recently used shapes are dropped)
  size_t activation_bytes = 0;      // buffers of the most recently used plan
  size_t packed_weight_bytes = 0;   // reordered weights kept across shapes
  int layout_reorders = 0;          // reorders inside the most recent plan (graph output ones excluded)
  int folded_pointwise = 0;         // 1x1 convs folded away for unobserved runs (OneDnnTuning)
  int fused_epilogue_nodes = 0;     // nodes the most recent plan runs as post-ops of (or fused into) another (OneDnnTuning)
  int pools_before_pointwise = 0;   // GlobalAveragePools moved before their 1x1 conv (OneDnnTuning)
};
// Throws Error(InvalidArgument) when `executor` did not come from make_onednn_executor.
OneDnnStats onednn_stats(const Executor& executor);

}  // namespace textq
