// Test helpers for the oneDNN INT8 path: turn a GraphMaker FP32 graph into an
// INT8 one (a small stand-in for src/quant, which this suite does not link:
// per-OC s8 weights, per-value scales from one calibration run on the
// reference backend, u8 after ReLU, s8 otherwise, concat inputs share one
// scale), and compare both backends node by node through the observer,
// counting integer mismatches in quantization steps.
#pragma once

#include <cstdio>
#include <map>
#include <set>

#include "graph_maker.h"
#include "ops/ops_int8_ref.h"

namespace textq::test {

struct Int8Options {
  float input_scale = 1.f / 32;            // a power of two: x / s and x * (1/s) agree exactly
  DType input_type = DType::i8;            // how INT8 nodes read the graph input
  std::set<std::string> fp32_nodes;        // convs kept FP32
  std::map<std::string, DType> dst_types;  // forced dst types (f32, u8, i8)
  std::map<std::string, float> dst_scale_mul;  // multiply a value's scale (forces requantization downstream)
};

// Inputs exactly on the input grid: q * input_scale, q uniform in [lo, hi].
inline Tensor grid_input(Shape shape, float scale, int lo, int hi, unsigned seed) {
  Tensor t(DType::f32, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(d(rng)) * scale;
  return t;
}

// The s8 weight steps of these graphs. With exact INT8 sums (VNNI) the full
// range; before VNNI, even steps within +-64, where oneDNN's pre-VNNI kernels
// are exact too: halving an even weight (s8-input convs) loses nothing, and
// 255 * 64 * 2 keeps every u8 x s8 pair sum within int16 (onednn_executor.h).
// So the node checks below test our lowering on every CPU; what pre-VNNI
// rounding does to real weights is measured in docs/quantization.md §3.
inline int8_t test_weight_step(float w_over_scale) {
  if (onednn_int8_sums_exact()) return static_cast<int8_t>(std::max(-127.f, std::min(127.f, std::nearbyint(w_over_scale))));
  return static_cast<int8_t>(2.f * std::max(-32.f, std::min(32.f, std::nearbyint(w_over_scale / 2.f))));
}
inline float test_weight_qmax() { return onednn_int8_sums_exact() ? 127.f : 64.f; }

// The CPUs whose INT8 kernel choices the tests pin: AVX-512 with VNNI, where
// oneDNN offers brgconv and jit_int8 and our own INT8 kernels run. Elsewhere
// (AVX2) every INT8 conv is oneDNN's jit avx2 kernel and the switches between
// AVX-512 kernels have nothing to choose from.
inline bool avx512_vnni_cpu() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}

// An INT8 conv on this CPU's fast kernel: a VNNI one on AVX-512 VNNI CPUs,
// else oneDNN's avx2 one; never a ref: fallback.
inline bool on_int8_kernel(const std::string& impl) {
  return impl.rfind("ref", 0) != 0 && impl.find(avx512_vnni_cpu() ? "vnni" : "avx2") != std::string::npos;
}

inline Graph make_int8(const Graph& fp32, const Tensor& calib, const Int8Options& o) {
  Graph g = fp32;
  const size_t nv = static_cast<size_t>(g.num_values());
  std::vector<float> absmax(nv, 0.f);
  std::vector<DType> type(nv, DType::i8);
  NodeObserver obs = [&](const Node& n, const Tensor& t) {
    float m = 0.f;
    for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::fabs(t.data<float>()[i]));
    absmax[static_cast<size_t>(n.output)] = m;
  };
  make_reference_executor(fp32, {})->run(calib, &obs);
  std::vector<float> scale(nv, 0.f);
  scale[static_cast<size_t>(g.input)] = o.input_scale;
  type[static_cast<size_t>(g.input)] = o.input_type;
  for (const Node& n : g.nodes) {
    const size_t out = static_cast<size_t>(n.output);
    const size_t in0 = static_cast<size_t>(n.inputs[0]);
    if (n.op == OpKind::MaxPool) {
      type[out] = type[in0], scale[out] = scale[in0];
    } else if (n.op == OpKind::Concat) {
      // One scale for the group: widen every input's (their producers come earlier).
      float s = 0.f;
      bool all_u8 = true;
      for (int v : n.inputs) s = std::max(s, scale[static_cast<size_t>(v)]), all_u8 = all_u8 && type[static_cast<size_t>(v)] == DType::u8;
      for (int v : n.inputs) scale[static_cast<size_t>(v)] = s, type[static_cast<size_t>(v)] = all_u8 ? DType::u8 : DType::i8;
      type[out] = all_u8 ? DType::u8 : DType::i8, scale[out] = s;
    } else {
      type[out] = n.activation == Activation::Relu ? DType::u8 : DType::i8;
      const float qmax = type[out] == DType::u8 ? 255.f : 127.f;
      scale[out] = (absmax[out] > 0.f ? absmax[out] : 1.f) / qmax;
      auto mul = o.dst_scale_mul.find(n.name);
      if (mul != o.dst_scale_mul.end()) scale[out] *= mul->second;
    }
  }
  // Which values an INT8 conv reads (directly or through pool/concat): those need integer dsts.
  std::vector<bool> int_consumer(nv, false);
  for (auto it = g.nodes.rbegin(); it != g.nodes.rend(); ++it) {
    const bool conv8 = (it->op == OpKind::Conv || it->op == OpKind::ConvTranspose) && !o.fp32_nodes.count(it->name);
    const bool pass = (it->op == OpKind::MaxPool || it->op == OpKind::Concat) && int_consumer[static_cast<size_t>(it->output)];
    if (conv8 || pass)
      for (int v : it->inputs) int_consumer[static_cast<size_t>(v)] = true;
  }
  for (int v : g.outputs) int_consumer[static_cast<size_t>(v)] = false;

  for (Node& n : g.nodes) {
    if ((n.op != OpKind::Conv && n.op != OpKind::ConvTranspose) || o.fp32_nodes.count(n.name)) continue;
    const size_t out = static_cast<size_t>(n.output);
    QuantParams& q = n.quant;
    q.enabled = true;
    q.src_scale = scale[static_cast<size_t>(n.inputs[0])];
    q.src_type = type[static_cast<size_t>(n.inputs[0])];
    const bool conv = n.op == OpKind::Conv;
    const int64_t oc = n.out_channels();
    const Tensor w = n.weight;
    Tensor qw(DType::i8, w.shape());
    q.weight_scales.assign(static_cast<size_t>(oc), 0.f);
    const int64_t d0 = w.dim(0), d1 = w.dim(1), khw = w.dim(2) * w.dim(3);
    // Per output channel: conv [OC, IC/g, KH, KW]; deconv [IC, OC/g, KH, KW] (groups 1 in these tests).
    for (int64_t a = 0; a < d0; ++a)
      for (int64_t b = 0; b < d1; ++b)
        for (int64_t k = 0; k < khw; ++k) {
          const int64_t c = conv ? a : b;
          float& s = q.weight_scales[static_cast<size_t>(c)];
          s = std::max(s, std::fabs(w.data<float>()[(a * d1 + b) * khw + k]));
        }
    for (float& s : q.weight_scales) s = s > 0.f ? s / test_weight_qmax() : 1.f;
    for (int64_t a = 0; a < d0; ++a)
      for (int64_t b = 0; b < d1; ++b)
        for (int64_t k = 0; k < khw; ++k) {
          const int64_t i = (a * d1 + b) * khw + k;
          const float s = q.weight_scales[static_cast<size_t>(conv ? a : b)];
          qw.data<int8_t>()[i] = test_weight_step(w.data<float>()[i] / s);
        }
    n.weight = qw;
    auto forced = o.dst_types.find(n.name);
    q.dst_type = forced != o.dst_types.end() ? forced->second : (int_consumer[out] ? type[out] : DType::f32);
    q.dst_scale = q.dst_type == DType::f32 ? 0.f : scale[out];
    if (q.dst_type == DType::i8 && type[out] == DType::u8) q.dst_scale = scale[out] * 255.f / 127.f;
    if (n.has_residual()) {
      const Node* p = g.producer(n.inputs[1]);
      q.residual_scale = 0.f;
      if (p && p->quant.enabled && p->quant.dst_type != DType::f32) q.residual_scale = p->quant.dst_scale;
    }
  }
  return g;
}

// A quantized graph (src/quant) with weights on which this CPU's oneDNN INT8
// kernels are exact: as given with VNNI; before VNNI each s8 weight w becomes
// test_weight_step(w / 2) = 2 * round(w / 4) at twice its scale. The per-node contract is then checkable on every CPU;
// the tests print what the given weights lose before VNNI.
inline Graph with_weights_exact_on_this_cpu(const Graph& quantized) {
  if (onednn_int8_sums_exact()) return quantized;
  Graph g = quantized;
  for (Node& n : g.nodes) {
    if (!n.quant.enabled) continue;
    Tensor w(DType::i8, n.weight.shape());
    for (int64_t i = 0; i < w.numel(); ++i)
      w.data<int8_t>()[i] = test_weight_step(n.weight.data<int8_t>()[i] / 2.f);
    n.weight = w;
    for (float& s : n.quant.weight_scales) s *= 2.f;
  }
  return g;
}

// Node-by-node comparison of the oneDNN and reference INT8 runs (observer:
// both hand f32, dequantized). Integer outputs are compared in quantization
// steps of the node's dst scale; f32 outputs relative to the output range.
struct NodeDiff {
  std::string name;
  int64_t numel = 0, off_by_one = 0, worse = 0;  // integer outputs
  float max_abs = 0.f, ref_max = 0.f;             // f32 outputs
  bool integer = false;
};

inline std::vector<NodeDiff> compare_nodes(const Graph& g, const Tensor& input, Executor& onednn,
                                           std::vector<Tensor>* outs_got = nullptr,
                                           std::vector<Tensor>* outs_ref = nullptr) {
  std::map<std::string, Tensor> got, ref;
  NodeObserver og = [&](const Node& n, const Tensor& t) { got[n.name] = t; };
  NodeObserver orf = [&](const Node& n, const Tensor& t) { ref[n.name] = t; };
  const ExecOptions opts = two_threads();
  std::vector<Tensor> a = onednn.run(input, &og);
  std::vector<Tensor> b = make_reference_executor(g, opts)->run(input, &orf);
  if (outs_got) *outs_got = a;
  if (outs_ref) *outs_ref = b;
  // The integer step of each value: the dst scale of the INT8 conv that made it
  // (MaxPool / Concat pass their inputs' scale on).
  std::vector<float> step(static_cast<size_t>(g.num_values()), 0.f);
  std::vector<NodeDiff> diffs;
  for (const Node& n : g.nodes) {
    float s = 0.f;
    if (n.quant.enabled && n.quant.dst_type != DType::f32) s = n.quant.dst_scale;
    if (n.op == OpKind::MaxPool) s = step[static_cast<size_t>(n.inputs[0])];
    if (n.op == OpKind::Concat) {
      s = step[static_cast<size_t>(n.inputs[0])];
      for (int v : n.inputs) if (step[static_cast<size_t>(v)] != s) s = 0.f;
    }
    step[static_cast<size_t>(n.output)] = s;
    NodeDiff d;
    d.name = n.name;
    d.integer = s > 0.f;
    const Tensor& x = got.at(n.name);
    const Tensor& y = ref.at(n.name);
    d.numel = y.numel();
    for (int64_t i = 0; i < y.numel(); ++i) {
      const float u = x.data<float>()[i], v = y.data<float>()[i];
      d.ref_max = std::max(d.ref_max, std::fabs(v));
      d.max_abs = std::max(d.max_abs, std::fabs(u - v));
      if (d.integer) {
        const float steps = std::nearbyint(std::fabs(u - v) / s);
        if (steps == 1.f) ++d.off_by_one;
        if (!(steps <= 1.f)) ++d.worse;
      }
    }
    diffs.push_back(d);
  }
  return diffs;
}

// Totals over the integer outputs of a compare_nodes() result.
struct IntegerMismatch {
  int64_t off_by_one = 0, worse = 0, total = 0;
};
inline IntegerMismatch integer_mismatch(const std::vector<NodeDiff>& diffs) {
  IntegerMismatch m;
  for (const NodeDiff& d : diffs)
    if (d.integer) m.off_by_one += d.off_by_one, m.worse += d.worse, m.total += d.numel;
  return m;
}

// Cosine similarity of two same-shape f32 tensors (in double).
inline double cosine(const Tensor& a, const Tensor& b) {
  double aa = 0, bb = 0, ab = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double u = a.data<float>()[i], v = b.data<float>()[i];
    aa += u * u, bb += v * v, ab += u * v;
  }
  return ab / std::sqrt(aa * bb);
}

inline void print_diffs(const std::vector<NodeDiff>& diffs, const Executor& onednn) {
  const std::vector<NodeProfile> prof = onednn.profile();
  for (size_t i = 0; i < diffs.size(); ++i) {
    const NodeDiff& d = diffs[i];
    if (d.integer)
      std::printf("  %-12s %-34s int  %8lld el: %lld off by one, %lld worse\n", d.name.c_str(),
                  i < prof.size() ? prof[i].impl.c_str() : "", static_cast<long long>(d.numel),
                  static_cast<long long>(d.off_by_one), static_cast<long long>(d.worse));
    else
      std::printf("  %-12s %-34s f32  %8lld el: max abs diff %.3g (ref max %.3g)\n", d.name.c_str(),
                  i < prof.size() ? prof[i].impl.c_str() : "", static_cast<long long>(d.numel), d.max_abs, d.ref_max);
  }
}

}  // namespace textq::test
