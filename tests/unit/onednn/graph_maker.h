// Test helpers for the oneDNN backend: build small graphs by hand with random
// weights, run them on the oneDNN and reference executors, and compare with a
// benchdnn-like one-line repro string on failure.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "backends/onednn/onednn_executor.h"
#include "backends/reference/reference_executor.h"
#include "ir/graph.h"
#include "textq/error.h"

namespace textq::test {

// |onednn - reference| <= kAbsTol + kRelTol * |reference| per element. Both
// sides are f32 with different summation orders (blocked, vectorised), so
// errors of ~1e-6 relative are expected; 1e-4 leaves room without hiding bugs
// (a wrong tap or channel gives errors of order 1e-1).
constexpr float kAbsTol = 1e-4f;
constexpr float kRelTol = 1e-4f;

class GraphMaker {
 public:
  explicit GraphMaker(unsigned seed = 1) : rng_(seed) { graph_.input = graph_.add_value("input"); }
  int input() const { return graph_.input; }

  int conv(int src, int ic, int oc, int k, int stride, int pad, bool relu, int residual = -1, int groups = 1,
           bool bias = true, int dilation = 1) {
    Node n = base(OpKind::Conv, "conv");
    n.inputs = {src};
    if (residual >= 0) n.inputs.push_back(residual);
    n.window = window(k, stride, pad, groups, dilation);
    n.weight = random({oc, ic / groups, k, k}, ic / groups * k * k);
    if (bias) n.bias = random({oc}, 4);
    n.activation = relu ? Activation::Relu : Activation::None;
    return finish(std::move(n));
  }
  int deconv(int src, int ic, int oc, int k, int stride, int pad, bool relu, int output_padding = 0, int groups = 1,
             bool bias = true) {
    Node n = base(OpKind::ConvTranspose, "deconv");
    n.inputs = {src};
    n.window = window(k, stride, pad, groups, 1);
    n.window.output_padding_h = n.window.output_padding_w = output_padding;
    n.weight = random({ic, oc / groups, k, k}, ic / groups * k * k / (stride * stride));
    if (bias) n.bias = random({oc}, 4);
    n.activation = relu ? Activation::Relu : Activation::None;
    return finish(std::move(n));
  }
  int max_pool(int src, int k, int stride, int pad) {
    Node n = base(OpKind::MaxPool, "pool");
    n.inputs = {src};
    n.window = window(k, stride, pad, 1, 1);
    return finish(std::move(n));
  }
  int concat(std::vector<int> srcs) {
    Node n = base(OpKind::Concat, "concat");
    n.inputs = std::move(srcs);
    return finish(std::move(n));
  }
  int add(int a, int b, bool relu) {
    Node n = base(OpKind::Add, "add");
    n.inputs = {a, b};
    n.activation = relu ? Activation::Relu : Activation::None;
    return finish(std::move(n));
  }
  int relu(int a) {
    Node n = base(OpKind::Relu, "relu");
    n.inputs = {a};
    return finish(std::move(n));
  }
  Graph graph(std::vector<int> outputs) {
    Graph g = graph_;
    g.outputs = std::move(outputs);
    return g;
  }
  Tensor random_input(Shape shape) { return random(std::move(shape), 1); }
  Graph& raw() { return graph_; }

 private:
  Node base(OpKind op, const char* prefix) {
    Node n;
    n.op = op;
    n.name = std::string(prefix) + std::to_string(graph_.nodes.size());
    return n;
  }
  int finish(Node n) {
    n.output = graph_.add_value(n.name);
    const int out = n.output;
    graph_.nodes.push_back(std::move(n));
    return out;
  }
  static Window2d window(int k, int stride, int pad, int groups, int dilation) {
    Window2d w = Window2d::square(k, stride, pad);
    w.dilation_h = w.dilation_w = dilation;
    w.groups = groups;
    return w;
  }
  // Uniform in +-1/sqrt(fan_in) so activations stay O(1) through a chain.
  Tensor random(Shape shape, int64_t fan_in) {
    Tensor t(DType::f32, std::move(shape));
    const float bound = 1.f / std::sqrt(static_cast<float>(fan_in > 0 ? fan_in : 1));
    std::uniform_real_distribution<float> dist(-bound, bound);
    float* p = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = dist(rng_);
    return t;
  }

  Graph graph_;
  std::mt19937 rng_;
};

// Two threads, as every oneDNN test runs; `verbose` makes profile() time each node.
// Adds one node of `op` reading `src` (and `second`), returns its output.
inline int add_op(GraphMaker& m, OpKind op, int src, int second = -1, const OpAttrs& attrs = OpAttrs(), Window2d window = Window2d(),
           Tensor weight = Tensor(), Tensor bias = Tensor()) {
  Graph& g = m.raw();
  Node n;
  n.op = op;
  n.name = std::string(op_kind_name(op)) + std::to_string(g.nodes.size());
  n.inputs = {src};
  if (second >= 0) n.inputs.push_back(second);
  n.attrs = attrs;
  n.window = window;
  n.weight = weight;
  n.bias = bias;
  n.output = g.add_value(n.name);
  g.nodes.push_back(n);
  return n.output;
}

inline ExecOptions two_threads(bool verbose = false) {
  ExecOptions o;
  o.threads = 2;
  o.verbose = verbose;
  return o;
}

struct Compare {
  float max_abs = 0.f;
  double mean_abs = 0.0;
  int64_t bad = 0;
  int64_t first_bad = -1;
};

inline Compare compare(const Tensor& ref, const Tensor& got) {
  Compare c;
  const float* r = ref.data<float>();
  const float* g = got.data<float>();
  for (int64_t i = 0; i < ref.numel(); ++i) {
    const float d = std::fabs(r[i] - g[i]);
    c.max_abs = std::max(c.max_abs, d);
    c.mean_abs += d;
    if (!(d <= kAbsTol + kRelTol * std::fabs(r[i]))) {  // NaN-safe
      if (c.first_bad < 0) c.first_bad = i;
      ++c.bad;
    }
  }
  if (ref.numel() > 0) c.mean_abs /= static_cast<double>(ref.numel());
  return c;
}

// Runs `graph` on both backends and checks every output; returns the oneDNN outputs.
inline std::vector<Tensor> expect_matches_reference(const Graph& graph, const Tensor& input, const std::string& repro,
                                                    Executor* onednn = nullptr) {
  const ExecOptions opts = two_threads();
  std::unique_ptr<Executor> own;
  if (!onednn) {
    own = make_onednn_executor(graph, opts);
    onednn = own.get();
  }
  std::vector<Tensor> got = onednn->run(input);
  std::vector<Tensor> ref = make_reference_executor(graph, opts)->run(input);
  EXPECT_EQ(ref.size(), got.size()) << repro;
  for (size_t i = 0; i < ref.size() && i < got.size(); ++i) {
    EXPECT_EQ(shape_str(ref[i].shape()), shape_str(got[i].shape())) << repro;
    if (ref[i].shape() != got[i].shape()) continue;
    const Compare c = compare(ref[i], got[i]);
    EXPECT_EQ(c.bad, 0) << "repro: " << repro << " input " << shape_str(input.shape()) << " output " << i << " "
                        << shape_str(ref[i].shape()) << ": " << c.bad << " elements off, first at flat index "
                        << c.first_bad << " (ref " << (c.first_bad >= 0 ? ref[i].data<float>()[c.first_bad] : 0.f)
                        << ", got " << (c.first_bad >= 0 ? got[i].data<float>()[c.first_bad] : 0.f)
                        << "), max abs err " << c.max_abs << ", tol " << kAbsTol << " + " << kRelTol << "*|ref|";
  }
  return got;
}

// Largest |a - b| over same-shape output lists.
inline float max_difference(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  float d = 0.f;
  for (size_t o = 0; o < a.size(); ++o)
    for (int64_t i = 0; i < a[o].numel(); ++i) d = std::max(d, std::fabs(a[o].data<float>()[i] - b[o].data<float>()[i]));
  return d;
}

// The kernel (or "post-op of <node>") the executor's last run gave node `name`.
inline std::string impl_of(const Executor& e, const std::string& name) {
  for (const NodeProfile& p : e.profile())
    if (p.name == name) return p.impl;
  return "(not run)";
}

inline bool bitwise_equal(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

}  // namespace textq::test
