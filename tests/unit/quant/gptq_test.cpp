// GPTQ rounding (quant/gptq.h). The integers must be those of an independent
// solve of the same problem (OBQ's explicit-inverse updates in a fixed column
// order, Gauss-Jordan instead of Cholesky), the second moments gathered from a
// graph run must reproduce the conv's measured output error, and on correlated
// inputs the rounded layer must be closer to FP32 than round-to-nearest.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "quant/calibrator.h"
#include "quant/gptq.h"
#include "quant/quantize_graph.h"
#include "quant/weight_quant.h"
#include "runtime/executor.h"
#include "textq/error.h"

namespace textq::quant {
namespace {

// Samples x = A z (z standard normal), so that H = sum x x^T has strong
// off-diagonal terms, as neighbouring pixels and channels do.
std::vector<double> correlated_moments(int64_t d, int64_t samples, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> n(0, 1);
  std::vector<double> a(static_cast<size_t>(d * d));
  for (auto& v : a) v = n(rng);
  for (int64_t i = 0; i < d; ++i) a[i * d + i] += 2.0;
  std::vector<double> h(static_cast<size_t>(d * d), 0.0), z(static_cast<size_t>(d)), x(static_cast<size_t>(d));
  for (int64_t s = 0; s < samples; ++s) {
    for (auto& v : z) v = n(rng);
    for (int64_t i = 0; i < d; ++i) {
      x[i] = 0.5 * z[0];  // a shared component: every input correlates with every other
      for (int64_t j = 0; j < d; ++j) x[i] += a[i * d + j] * z[j] * 0.3;
    }
    for (int64_t i = 0; i < d; ++i)
      for (int64_t j = 0; j < d; ++j) h[i * d + j] += x[i] * x[j];
  }
  return h;
}

struct Layer {
  std::vector<double> w;
  std::vector<float> scales;
};

// rows x d weights; row r's largest |w| is 127 scale_r (one weight on the grid's end), the rest spread below.
Layer random_layer(int64_t rows, int64_t d, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  Layer l;
  for (int64_t r = 0; r < rows; ++r) {
    const float s = 0.01f * static_cast<float>(r + 1);
    l.scales.push_back(s);
    for (int64_t i = 0; i < d; ++i) l.w.push_back(i == r % d ? 127.0 * s : 20.0 * s * u(rng));
  }
  return l;
}

// The same problem solved independently: OBQ in a fixed column order. Keeps the
// full inverse Hinv of the damped H (Gauss-Jordan); after rounding column i
// every later column moves by -err_i / Hinv_ii * Hinv_{i,j}, then column i is
// eliminated from Hinv (Schur complement).
std::vector<int8_t> obq_reference(const Layer& l, int64_t rows, int64_t d, std::vector<double> h, double damp) {
  double mean = 0;
  for (int64_t i = 0; i < d; ++i) mean += h[i * d + i];
  mean /= d;
  for (int64_t i = 0; i < d; ++i) {
    if (h[i * d + i] == 0) h[i * d + i] = 1;
    h[i * d + i] += damp * mean;
  }
  std::vector<double> inv(static_cast<size_t>(d * d), 0.0), a = h;
  for (int64_t i = 0; i < d; ++i) inv[i * d + i] = 1;
  for (int64_t c = 0; c < d; ++c) {  // Gauss-Jordan (H is positive definite: no pivoting needed)
    const double p = a[c * d + c];
    for (int64_t j = 0; j < d; ++j) a[c * d + j] /= p, inv[c * d + j] /= p;
    for (int64_t r = 0; r < d; ++r) {
      if (r == c) continue;
      const double f = a[r * d + c];
      for (int64_t j = 0; j < d; ++j) a[r * d + j] -= f * a[c * d + j], inv[r * d + j] -= f * inv[c * d + j];
    }
  }
  std::vector<int8_t> q(static_cast<size_t>(rows * d));
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> w(l.w.begin() + r * d, l.w.begin() + (r + 1) * d), hi = inv;
    const double s = l.scales[r];
    for (int64_t i = 0; i < d; ++i) {
      const double qi = std::max(-127.0, std::min(127.0, std::nearbyint(w[i] / s)));
      q[r * d + i] = static_cast<int8_t>(qi);
      const double e = (w[i] - qi * s) / hi[i * d + i];
      for (int64_t j = i + 1; j < d; ++j) w[j] -= e * hi[i * d + j];
      const std::vector<double> col(hi.begin() + i * d, hi.begin() + (i + 1) * d);
      const double pivot = col[i];
      for (int64_t x = 0; x < d; ++x)
        for (int64_t y = 0; y < d; ++y) hi[x * d + y] -= col[x] * col[y] / pivot;
    }
  }
  return q;
}

std::vector<int8_t> rtn(const Layer& l, int64_t rows, int64_t d) {
  std::vector<int8_t> q;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < d; ++i)
      q.push_back(static_cast<int8_t>(std::max(-127.0, std::min(127.0, std::nearbyint(l.w[r * d + i] / l.scales[r])))));
  return q;
}

TEST(Gptq, SameIntegersAsAnIndependentSolve) {
  for (int64_t d : {5, 27, 64}) {
    const int64_t rows = 6;
    const Layer l = random_layer(rows, d, static_cast<uint32_t>(d));
    const std::vector<double> h = correlated_moments(d, 4 * d, 11);
    const std::vector<int8_t> got = gptq_round_rows(l.w, rows, d, h, l.scales, 0.01);
    const std::vector<int8_t> want = obq_reference(l, rows, d, h, 0.01);
    EXPECT_EQ(got, want) << "d = " << d;
    EXPECT_EQ(gptq_round_rows(l.w, rows, d, h, l.scales, 0.01, 1), got) << "one thread, d = " << d;
    EXPECT_NE(got, rtn(l, rows, d)) << "d = " << d;
  }
}

TEST(Gptq, LowerLayerErrorThanRoundToNearest) {
  const int64_t rows = 8, d = 48;
  const Layer l = random_layer(rows, d, 5);
  const std::vector<double> h = correlated_moments(d, 400, 6);
  const std::vector<int8_t> q = gptq_round_rows(l.w, rows, d, h, l.scales, 0.01);
  const double e_gptq = layer_output_error(l.w, q, rows, d, h, l.scales);
  const double e_rtn = layer_output_error(l.w, rtn(l, rows, d), rows, d, h, l.scales);
  EXPECT_LT(e_gptq, 0.8 * e_rtn);
}

TEST(Gptq, UncorrelatedInputsKeepRoundToNearest) {
  // H diagonal: no column's error can be compensated by another, so GPTQ is RTN.
  const int64_t rows = 4, d = 9;
  const Layer l = random_layer(rows, d, 8);
  std::vector<double> h(static_cast<size_t>(d * d), 0.0);
  for (int64_t i = 0; i < d; ++i) h[i * d + i] = 1.0 + i;
  EXPECT_EQ(gptq_round_rows(l.w, rows, d, h, l.scales, 0.01), rtn(l, rows, d));
  // An input never seen (zero row and column) keeps its weight at RTN and passes nothing on.
  const std::vector<double> hc = correlated_moments(d, 50, 3);
  std::vector<double> hd = hc;
  for (int64_t j = 0; j < d; ++j) hd[2 * d + j] = hd[j * d + 2] = 0;
  const std::vector<int8_t> q = gptq_round_rows(l.w, rows, d, hd, l.scales, 0.01);
  const std::vector<int8_t> r = rtn(l, rows, d);
  for (int64_t row = 0; row < rows; ++row) EXPECT_EQ(q[row * d + 2], r[row * d + 2]);
}

Tensor smooth_input(uint32_t seed) {
  // Low-frequency images: neighbouring pixels and channels correlate, as in photos.
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  Tensor t(DType::f32, {1, 3, 12, 14});
  const float a = u(rng), b = u(rng), c = u(rng);
  for (int64_t ch = 0; ch < 3; ++ch)
    for (int64_t y = 0; y < 12; ++y)
      for (int64_t x = 0; x < 14; ++x)
        t.data<float>()[(ch * 12 + y) * 14 + x] =
            std::sin(0.3f * x + a + ch) + std::cos(0.25f * y + b) * (1 + 0.2f * ch) + c + 0.05f * u(rng);
  return t;
}

// input -> conv0 (3 -> 8, 3x3, pad 1, ReLU) -> { dense conv1 (8 -> 5, 3x3, stride 2, pads 1/0/0/1),
// depthwise conv2 (8 groups, 3x3, pad 1) }.
Graph small_graph() {
  std::mt19937 rng(21);
  std::uniform_real_distribution<float> u(-0.3f, 0.3f);
  auto weights = [&](Shape s) {
    Tensor t(DType::f32, std::move(s));
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
    t.data<float>()[0] = 1.5f;  // one large weight: the others get few levels
    return t;
  };
  Graph g;
  for (const char* v : {"input", "c0", "c1", "c2"}) g.add_value(v);
  Node c0;
  c0.name = "conv0", c0.op = OpKind::Conv, c0.inputs = {0}, c0.output = 1, c0.activation = Activation::Relu;
  c0.window = Window2d::square(3, 1, 1);
  c0.weight = weights({8, 3, 3, 3});
  c0.bias = weights({8});
  Node c1;
  c1.name = "conv1", c1.op = OpKind::Conv, c1.inputs = {1}, c1.output = 2;
  c1.window = Window2d::square(3, 2, 1);
  c1.window.pad_left = c1.window.pad_bottom = 0;
  c1.weight = weights({5, 8, 3, 3});
  Node c2;
  c2.name = "conv2", c2.op = OpKind::Conv, c2.inputs = {1}, c2.output = 3;
  c2.window = Window2d::square(3, 1, 1);
  c2.window.groups = 8;
  c2.weight = weights({8, 1, 3, 3});
  g.nodes = {c0, c1, c2};
  g.outputs = {2, 3};
  g.verify();
  return g;
}

CalibInputs smooth_inputs(size_t n, uint32_t seed) {
  CalibInputs in;
  in.count = n;
  in.get = [seed](size_t i) { return smooth_input(seed + static_cast<uint32_t>(i)); };
  return in;
}

// Mean over positions of sum over output channels of (conv(W) - conv(W'))^2 on `node`'s input, no bias.
double measured_output_error(const Graph& g, size_t node, const Tensor& w2, const CalibInputs& in) {
  Graph a;
  a.add_value("x");
  a.add_value("y");
  Node n = g.nodes[node];
  n.inputs = {0}, n.output = 1, n.bias = Tensor(), n.activation = Activation::None;
  a.nodes = {n};
  a.outputs = {1};
  Graph b = a;
  b.nodes[0].weight = w2;
  auto up = make_executor(g, BackendKind::Reference, {});
  auto ea = make_executor(a, BackendKind::Reference, {});
  auto eb = make_executor(b, BackendKind::Reference, {});
  double sum = 0;
  int64_t positions = 0;
  for (size_t k = 0; k < in.count; ++k) {
    const Tensor input = in.get(k);
    Tensor x = input;  // conv0 reads the graph input
    const NodeObserver grab = [&](const Node& m, const Tensor& t) {
      if (m.output == g.nodes[node].inputs[0]) x = t.clone();
    };
    up->run(input, &grab);
    const Tensor ya = ea->run(x).at(0), yb = eb->run(x).at(0);
    for (int64_t i = 0; i < ya.numel(); ++i) {
      const double e = static_cast<double>(ya.data<float>()[i]) - yb.data<float>()[i];
      sum += e * e;
    }
    positions += ya.dim(2) * ya.dim(3);
  }
  return sum / static_cast<double>(positions);
}

Tensor dequantized(const QuantizedWeight& q) {
  Tensor t(DType::f32, q.weight.shape());
  const int64_t per = t.numel() / static_cast<int64_t>(q.scales.size());
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = q.weight.data<int8_t>()[i] * q.scales[i / per];
  return t;
}

TEST(Gptq, GraphStatisticsMatchTheMeasuredOutputError) {
  const Graph g = small_graph();
  const CalibInputs calib = smooth_inputs(3, 0);
  GptqOptions o;
  o.positions_per_image = 1000;  // every position (12 x 14 at most): the sums are exact
  const GptqResult r = gptq_round_weights(g, calib, {}, o);
  ASSERT_EQ(r.layers.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const GptqLayer& l = r.layers[i];
    ASSERT_TRUE(l.rounded) << l.name;
    const QuantizedWeight rtn_w = quantize_weight_per_oc(g.nodes[i]);
    const QuantizedWeight& q = r.weights.at(l.name);
    EXPECT_EQ(q.scales, rtn_w.scales) << l.name;
    // The layer's error as gptq computed it from its gathered H equals the error measured by running the
    // conv (to the f32 outputs' precision: their differences are ~1e-3 of the outputs).
    EXPECT_NEAR(l.rtn_error, measured_output_error(g, i, dequantized(rtn_w), calib), 1e-4 * l.rtn_error) << l.name;
    EXPECT_NEAR(l.gptq_error, measured_output_error(g, i, dequantized(q), calib), 1e-4 * l.gptq_error) << l.name;
    EXPECT_LT(l.gptq_error, 0.8 * l.rtn_error) << l.name;
    EXPECT_GT(l.changed, 0) << l.name;
  }
  // Held-out inputs: the INT8 graph with these integers is closer to FP32 than with RTN's (same activation scales).
  CalibOptions co;
  co.method = CalibMethod::MinMax;
  const CalibrationTable table = calibrate(g, calib, co);
  QuantOptions with;
  with.rounded_weights = std::make_shared<const std::map<std::string, QuantizedWeight>>(r.weights);
  const Graph q_gptq = quantize_graph(g, table, with), q_rtn = quantize_graph(g, table, QuantOptions{});
  EXPECT_EQ(q_gptq.nodes[1].weight.data<int8_t>()[3], r.weights.at("conv1").weight.data<int8_t>()[3]);
  auto f = make_executor(g, BackendKind::Reference, {});
  auto a = make_executor(q_gptq, BackendKind::Reference, {});
  auto b = make_executor(q_rtn, BackendKind::Reference, {});
  double err_gptq = 0, err_rtn = 0;
  for (uint32_t s = 100; s < 104; ++s) {
    const Tensor x = smooth_input(s);
    const Tensor yf = f->run(x).at(0), ya = a->run(x).at(0), yb = b->run(x).at(0);
    for (int64_t i = 0; i < yf.numel(); ++i) {
      err_gptq += std::pow(static_cast<double>(ya.data<float>()[i]) - yf.data<float>()[i], 2);
      err_rtn += std::pow(static_cast<double>(yb.data<float>()[i]) - yf.data<float>()[i], 2);
    }
  }
  EXPECT_LT(err_gptq, err_rtn);
}

TEST(Gptq, SkipsFp32LayersLargeLayersAndChecksShapes) {
  const Graph g = small_graph();
  GptqOptions o;
  o.max_dim = 40;  // conv1 has 8 * 9 = 72 inputs per output channel
  const GptqResult r = gptq_round_weights(g, smooth_inputs(1, 0), {"conv2"}, o);
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_TRUE(r.layers[0].rounded);
  EXPECT_FALSE(r.layers[1].rounded);
  EXPECT_NE(r.layers[1].why_not.find("more than 40"), std::string::npos) << r.layers[1].why_not;
  EXPECT_EQ(r.weights.count("conv1"), 0u);
  EXPECT_EQ(r.weights.count("conv2"), 0u);
  EXPECT_THROW(gptq_round_weights(g, CalibInputs{}, {}, o), Error);
  // Pre-rounded weights of the wrong shape are refused by quantize_graph.
  QuantOptions bad;
  auto m = std::make_shared<std::map<std::string, QuantizedWeight>>(r.weights);
  (*m)["conv0"].weight = Tensor(DType::i8, {8, 3, 1, 1});
  bad.rounded_weights = m;
  CalibOptions co;
  co.method = CalibMethod::MinMax;
  EXPECT_THROW(quantize_graph(g, calibrate(g, smooth_inputs(1, 0), co), bad), Error);
}

}  // namespace
}  // namespace textq::quant
