// Lowers a Graph to oneDNN primitives for one input shape (see
// docs/backends.md). Layout policy: every node asks for format_tag::any and
// keeps what oneDNN picks; a reorder is added only where a consumer's
// descriptor differs from its producer's (cached per value, so two consumers
// wanting the same layout share one reorder). Buffers are reused by liveness.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends/onednn/conv_quant.h"
#include "backends/onednn/onednn_common.h"
#include "backends/onednn/onednn_executor.h"
#include "backends/onednn/shape_plan.h"
#include "backends/onednn/weight_cache.h"
#include "ir/graph.h"

namespace textq::onednn {

class PlanBuilder {
 public:
  // bf16: FP32 nodes compute in bf16 (weights, src, dst; f32 bias and accumulation).
  // fuse_epilogues: elementwise chains after convs, Adds and Muls run as
  // their post-ops (epilogue.h); the fused nodes' own outputs then never
  // exist, so observed runs build without it.
  // fuse_pools: a max pool reading only an INT8 stem conv runs inside the
  // conv's step (conv_int8_stem.h), likewise only in unobserved runs.
  PlanBuilder(const Graph& graph, Context& ctx, WeightCache& weights, const OneDnnTuning& tuning, bool bf16 = false,
              bool fuse_epilogues = false, bool fuse_pools = false);
  // Builds and allocates the plan; throws Error(Internal) naming the node on a oneDNN failure.
  std::unique_ptr<ShapePlan> build(const Shape& input_shape);

 private:
  // Per-op lowering (lower_conv.cpp, lower_simple.cpp). Each appends steps and
  // sets plan_->values[node.output] (and plan_->scales for integer outputs).
  // lower_conv handles FP32 and INT8 (quant.enabled) nodes alike.
  void lower_conv(size_t ni);
  // FP32 3x3 stride-1 conv as Winograd F(4x4,3x3) in nhwc (lower_winograd.cpp);
  // false (plan untouched) when the node or the CPU does not qualify.
  bool lower_winograd(size_t ni);
  // FP32 ConvTranspose k4 s2 p1 as a Winograd conv with 4 x OC outputs,
  // pixel-shuffled on store (lower_deconv_winograd.cpp); false when not applicable.
  bool lower_deconv_winograd(size_t ni);
  // Strided deconv as stride^2 phase convs + interleave; false when not applicable.
  bool lower_deconv_phases(size_t ni, const ConvQuant& cq);
  // Deconv with kernel == stride and no padding as one 1x1 conv with
  // stride² · OC channels + one strided reorder (lower_deconv_pixel_shuffle.cpp).
  bool lower_deconv_pixel_shuffle(size_t ni, const ConvQuant& cq);
  // INT8 k4 s2 p1 deconv with a few channels making an f32 graph output, on
  // our own kernel (lower_deconv_k4s2_int8.cpp); false when not applicable.
  bool lower_deconv_k4s2_int8(size_t ni, const ConvQuant& cq);
  // INT8 conv with 8 or 24 output channels on our own ymm kernel
  // (lower_conv_int8_narrow.cpp); false when not applicable.
  bool lower_conv_int8_narrow(size_t ni, const ConvQuant& cq);
  // INT8 conv with a few input channels and a wide window (the stem), and
  // when fusing the max pool after it, on our own kernel
  // (lower_conv_int8_stem.cpp); false when not applicable.
  bool lower_conv_int8_stem(size_t ni, const ConvQuant& cq);
  // conv_quant(n), with bf16 data types for an FP32 node when bf16_ is set.
  ConvQuant conv_types(const Node& n) const;
  // True when FP32 node n computes in bf16: bf16_, except the conv reading the graph input.
  bool node_bf16(const Node& n) const;
  bool is_graph_output(int value) const;
  // The data type and scale every reader of `value` quantizes it to, when
  // all readers are INT8 convs reading it as their source (only) and agree on
  // both: what a Concat and a fused node feeding them write. When fusing
  // (unobserved runs), a Concat or nearest Resize reader counts as the
  // readers of its own result: both pass integers through unchanged
  // (lower_concat, lower_resize), so the value can be quantized before them.
  std::optional<std::pair<Dt, float>> int8_readers_type(int value) const;
  // Whether node n carries integers through unchanged in this plan (see above).
  bool passes_integers(const Node& n) const;
  // deep_[v]: v is computed after the graph first reached 1/16 of the input
  // resolution (where bf16 Winograd GEMMs are allowed, OneDnnTuning).
  void mark_deep_values(const Shape& input_shape);
  void lower_max_pool(size_t ni);
  void lower_concat(size_t ni);
  void lower_add(size_t ni);  // lower_binary.cpp, with lower_mul
  void lower_relu(size_t ni);
  // ONNX-import ops (issue 12): lower_eltwise.cpp, lower_pool.cpp, lower_resize.cpp, lower_pad.cpp.
  void lower_eltwise(size_t ni);  // Sigmoid, HardSigmoid, HardSwish, Clip, Affine
  void lower_mul(size_t ni);
  // The binary primitive of Add / Mul node ni on f32 operands a and b (b's
  // descriptor may broadcast), with its epilogue of Adds and an integer dst
  // for agreeing INT8 readers when fusing (epilogue.h).
  void lower_binary(size_t ni, dnnl::algorithm alg, const memory& a, const memory& b);
  void lower_avg_pool(size_t ni);  // AveragePool, GlobalAveragePool
  void lower_resize(size_t ni);
  void lower_pad(size_t ni);

  // Memory for a new value in layout `md`, backed by a planned buffer.
  memory define_value(int value, const memory::desc& md);
  // The value in layout and data type `want`, holding real / want_scale
  // (want_scale 1 for f32): itself, or a reordered (re/de-quantizing) copy
  // made once per (layout, scale) and shared by all consumers asking for it.
  memory value_as(int value, const memory::desc& want, float want_scale = 1.f);
  void add_step(const dnnl::primitive& prim, std::unordered_map<int, memory> args);
  // Reorder src -> dst multiplying by `scale` (round and saturate for u8/s8 dst).
  void add_reorder(const memory& src, const memory& dst, float scale = 1.f);
  memory bound_memory(const memory::desc& md, int buffer);
  // `bytes` of scratch for one step of our own kernels, from a planned buffer
  // that later nodes may reuse (steps run in order).
  memory scratch_memory(size_t bytes);
  // Node ni's weights packed by `pack` into the flat layout `md` (one of our
  // kernels' own), made once and kept in the WeightCache across shapes.
  memory packed_weights(size_t ni, const memory::desc& md, const std::function<Tensor()>& pack);
  void release_dead_inputs(size_t ni);
  // True when `value` may be overwritten in place by node ni (its last reader).
  bool can_overwrite(int value, size_t ni) const;

  const Graph& graph_;
  Context& ctx_;
  WeightCache& weights_;
  const OneDnnTuning& tuning_;
  const bool bf16_;
  const bool fuse_epilogues_;
  const bool fuse_pools_;
  const bool nhwc_from_input_;  // OneDnnTuning::nhwc_before_avx512 on a CPU without AVX-512
  const bool deconv_winograd_;  // OneDnnTuning::deconv_winograd_before_avx512 on a CPU without AVX-512

  std::unique_ptr<ShapePlan> plan_;
  std::vector<bool> deep_;           // value id -> see mark_deep_values
  std::vector<std::vector<size_t>> readers_;  // value id -> nodes reading it
  std::vector<int> fused_into_;      // node index -> the conv running it as post-ops, or -1
  std::vector<int> last_use_;        // value id -> last node index reading it (INT_MAX for outputs)
  std::vector<int> main_buffer_;     // value id -> buffer holding it (-1: caller's input)
  std::vector<std::vector<int>> extra_buffers_;  // value id -> buffers of its reordered copies
  struct Converted {
    memory mem;
    float factor;  // mem = factor * the value's stored numbers
  };
  std::vector<std::vector<Converted>> converted_;  // value id -> reordered copies
  std::vector<std::pair<memory, int>> bindings_; // memory -> buffer, handles set after allocate()
  size_t current_node_ = 0;
  std::string input_kernel_;  // our quantize_planes step ran for the current node (its profile names it)
};

}  // namespace textq::onednn
