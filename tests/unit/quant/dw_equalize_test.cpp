// quant/dw_equalize.h: scaling a depthwise conv's input channels to equal
// ranges must leave the FP32 output unchanged, make the observed channel
// ranges equal, and bring the INT8 graph closer to FP32 when the channels'
// ranges differ widely.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>

#include "quant/calibrator.h"
#include "quant/dw_equalize.h"
#include "quant/quantize_graph.h"
#include "runtime/executor.h"

namespace textq::quant {
namespace {

Tensor random_tensor(Shape shape, std::mt19937& rng, float lo, float hi) {
  Tensor t(DType::f32, std::move(shape));
  std::uniform_real_distribution<float> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// conv0 (channel c's weights scaled by 4^-c: ranges 1 .. 1/1024) -> HardSwish ->
// Affine(0.5 x + 0.001) -> depthwise 3x3 (pad 1) -> 1x1 conv.
Graph uneven_graph(OpKind between) {
  std::mt19937 rng(3);
  Graph g;
  for (const char* v : {"input", "c0", "h0", "a0", "dw", "pw"}) g.add_value(v);
  Node c0;
  c0.name = "conv0", c0.op = OpKind::Conv, c0.inputs = {0}, c0.output = 1;
  c0.window = Window2d::square(3, 1, 1);
  c0.weight = random_tensor({6, 3, 3, 3}, rng, -0.5f, 0.5f);
  c0.bias = random_tensor({6}, rng, -0.1f, 0.1f);
  for (int64_t c = 0; c < 6; ++c)
    for (int64_t j = 0; j < 27; ++j) c0.weight.data<float>()[c * 27 + j] *= std::pow(0.25f, static_cast<float>(c));
  g.nodes.push_back(c0);
  Node h;
  h.name = "mid", h.op = between, h.inputs = {1}, h.output = 2;
  g.nodes.push_back(h);
  Node a;
  a.name = "affine", a.op = OpKind::Affine, a.inputs = {2}, a.output = 3;
  a.weight = Tensor(DType::f32, {1});
  a.weight.data<float>()[0] = 0.5f;
  a.bias = Tensor(DType::f32, {1});
  a.bias.data<float>()[0] = 0.001f;
  g.nodes.push_back(a);
  Node dw;
  dw.name = "dw", dw.op = OpKind::Conv, dw.inputs = {3}, dw.output = 4;
  dw.window = Window2d::square(3, 1, 1);
  dw.window.groups = 6;
  dw.weight = random_tensor({6, 1, 3, 3}, rng, -0.5f, 0.5f);
  dw.bias = random_tensor({6}, rng, -0.1f, 0.1f);
  g.nodes.push_back(dw);
  Node pw;
  pw.name = "pw", pw.op = OpKind::Conv, pw.inputs = {4}, pw.output = 5;
  pw.weight = random_tensor({4, 6, 1, 1}, rng, -0.5f, 0.5f);
  g.nodes.push_back(pw);
  g.outputs = {4, 5};  // the dw output is measured
  g.verify();
  return g;
}

CalibInputs inputs(size_t n, uint32_t seed) {
  CalibInputs in;
  in.count = n;
  in.get = [seed](size_t i) {
    std::mt19937 rng(seed + static_cast<uint32_t>(i));
    return random_tensor({1, 3, 9, 11}, rng, -2.f, 2.f);
  };
  return in;
}

// Per-channel |x| max of value v over the inputs.
std::vector<double> spans(const Graph& g, int v, const CalibInputs& in) {
  auto e = make_executor(g, BackendKind::Reference, {});
  std::vector<double> lo, hi;
  const NodeObserver obs = [&](const Node& n, const Tensor& t) {
    if (n.output != v) return;
    const int64_t ch = t.dim(1), plane = t.dim(2) * t.dim(3);
    lo.resize(ch, 1e30), hi.resize(ch, -1e30);
    for (int64_t c = 0; c < ch; ++c)
      for (int64_t j = 0; j < plane; ++j)
        lo[c] = std::min<double>(lo[c], t.data<float>()[c * plane + j]), hi[c] = std::max<double>(hi[c], t.data<float>()[c * plane + j]);
  };
  for (size_t k = 0; k < in.count; ++k) e->run(in.get(k), &obs);
  std::vector<double> s;
  for (size_t c = 0; c < lo.size(); ++c) s.push_back(std::max(-lo[c], hi[c]));
  return s;
}

// The dw output's noise-to-signal ratio, every channel weighted equally (the
// narrow channels are the ones a shared input scale starves).
double dw_balanced_nsr(const Graph& ref, const Graph& q, const CalibInputs& in) {
  auto f = make_executor(ref, BackendKind::Reference, {});
  auto e = make_executor(q, BackendKind::Reference, {});
  std::vector<double> signal(6, 0.0), noise(6, 0.0);
  for (size_t k = 0; k < in.count; ++k) {
    const Tensor x = in.get(k);
    const Tensor yf = f->run(x).at(0), yq = e->run(x).at(0);  // output 0: the dw conv
    const int64_t plane = yf.dim(2) * yf.dim(3);
    for (int64_t i = 0; i < yf.numel(); ++i) {
      const double a = yf.data<float>()[i], b = yq.data<float>()[i];
      signal[i / plane] += a * a, noise[i / plane] += (a - b) * (a - b);
    }
  }
  double nsr = 0;
  for (size_t c = 0; c < 6; ++c) nsr += noise[c] / signal[c];
  return nsr / 6;
}

// Output 0 of both graphs on input x: equal up to FP32 rounding.
void expect_same_output(const Graph& before, const Graph& after, const Tensor& x) {
  auto a = make_executor(before, BackendKind::Reference, {});
  auto b = make_executor(after, BackendKind::Reference, {});
  const Tensor ya = a->run(x).at(0), yb = b->run(x).at(0);
  for (int64_t i = 0; i < ya.numel(); ++i)
    EXPECT_NEAR(yb.data<float>()[i], ya.data<float>()[i], 1e-5f + 1e-5f * std::fabs(ya.data<float>()[i]));
}

TEST(DwEqualize, ExactInFp32AndEqualRanges) {
  for (OpKind between : {OpKind::HardSwish, OpKind::Relu}) {
    const Graph g = uneven_graph(between);
    const CalibInputs calib = inputs(3, 0);
    const DwEqualizeResult r = equalize_depthwise_inputs(g, calib, {}, DwEqualizeOptions{});
    EXPECT_EQ(r.convs, (std::vector<std::string>{"dw"}));
    EXPECT_GT(r.largest_factor, 50.0);
    for (size_t k = 0; k < 2; ++k) expect_same_output(g, r.graph, inputs(2, 40).get(k));
    // On the calibration inputs every channel of the dw input now has the largest |x| max, unless
    // its factor hit the cap (channels 4 and 5, 4^4 and 4^5 times narrower).
    const std::vector<double> before = spans(g, 3, calib), s = spans(r.graph, 3, calib);
    const double widest = *std::max_element(s.begin(), s.end());
    for (size_t c = 0; c < s.size(); ++c) {
      if (widest / before[c] <= 64.0) EXPECT_NEAR(s[c], widest, 1e-4 * widest) << c;
      else EXPECT_NEAR(s[c], 64.0 * before[c], 1e-4 * s[c]) << c;
    }
    // INT8 (one per-tensor scale for the dw input): its output is closer to FP32 after the equalization.
    CalibOptions co;
    co.method = CalibMethod::MinMax;
    const Graph q0 = quantize_graph(g, calibrate(g, calib, co), QuantOptions{});
    const Graph q1 = quantize_graph(r.graph, calibrate(r.graph, calib, co), QuantOptions{});
    EXPECT_LT(dw_balanced_nsr(g, q1, inputs(3, 60)), 0.5 * dw_balanced_nsr(g, q0, inputs(3, 60)));
  }
}

// The stem case of PP-OCRv4: the dw conv reads a conv's output directly; that
// conv's output channels take k_c (ReLU commutes with k_c > 0), no op is added.
TEST(DwEqualize, ConvProducerScaledInPlace) {
  for (Activation act : {Activation::None, Activation::Relu}) {
    Graph g = uneven_graph(OpKind::HardSwish);
    g.nodes[0].activation = act;
    g.nodes[3].inputs = {1};  // dw reads conv0; the HardSwish and Affine now feed nothing
    g.nodes.erase(g.nodes.begin() + 1, g.nodes.begin() + 3);
    g.verify();
    const DwEqualizeResult r = equalize_depthwise_inputs(g, inputs(3, 0), {}, DwEqualizeOptions{});
    ASSERT_EQ(r.convs, (std::vector<std::string>{"dw"}));
    ASSERT_EQ(r.graph.nodes.size(), g.nodes.size());
    EXPECT_NE(r.graph.nodes[0].weight.data<float>()[5 * 27], g.nodes[0].weight.data<float>()[5 * 27]);
    expect_same_output(g, r.graph, inputs(1, 40).get(0));
  }
}

// A depthwise conv whose input is equalized and whose output is equalized in
// turn (dw -> dw2): its weights carry both factors, 1/k of its input's and the
// k of its output's (the second must be applied to the first's result).
TEST(DwEqualize, ChainedDepthwiseConvsKeepBothFactors) {
  Graph g = uneven_graph(OpKind::Relu);
  Node& pw = g.nodes[4];
  pw.window = Window2d::square(3, 1, 1);
  pw.window.groups = 6;
  std::mt19937 rng(9);
  pw.weight = random_tensor({6, 1, 3, 3}, rng, -0.5f, 0.5f);
  g.outputs = {5};  // the dw output is now only pw's input
  g.verify();
  const DwEqualizeResult r = equalize_depthwise_inputs(g, inputs(3, 0), {}, DwEqualizeOptions{});
  ASSERT_EQ(r.convs, (std::vector<std::string>{"dw", "pw"}));
  expect_same_output(g, r.graph, inputs(1, 40).get(0));
}

TEST(DwEqualize, SkipsFp32LayersAndNonDepthwiseReaders) {
  const Graph g = uneven_graph(OpKind::HardSwish);
  EXPECT_TRUE(has_equalizable_depthwise(g, {}));
  // Nothing to equalize: the graph comes back as it is and no image is run
  // (equalization is quantize's default, so graphs without depthwise convs,
  // like TextSnake's, must cost nothing).
  CalibInputs never;
  never.count = 1;
  never.get = [](size_t) -> Tensor { throw std::runtime_error("an image was run"); };
  EXPECT_FALSE(has_equalizable_depthwise(g, {"dw"}));
  EXPECT_TRUE(equalize_depthwise_inputs(g, never, {"dw"}, DwEqualizeOptions{}).convs.empty());
  Graph h = g;
  h.nodes[4].inputs = {3};  // pw also reads the dw input: not only depthwise readers
  h.nodes[4].weight = Tensor(DType::f32, {4, 6, 1, 1});
  EXPECT_FALSE(has_equalizable_depthwise(h, {}));
  const DwEqualizeResult r = equalize_depthwise_inputs(h, never, {}, DwEqualizeOptions{});
  EXPECT_TRUE(r.convs.empty());
  EXPECT_EQ(r.graph.nodes.size(), h.nodes.size());
}

}  // namespace
}  // namespace textq::quant
