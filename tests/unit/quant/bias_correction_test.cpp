// Empirical bias correction (quant/bias_correction.h): on graphs whose
// weights round with a systematic error, the corrected INT8 graph's mean
// output error per channel must fall to ~0 on the calibration inputs and
// shrink on held-out ones; skipping the correction or applying it with the
// wrong sign fails these checks.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "quant/bias_correction.h"
#include "quant/calibrator.h"
#include "quant/quantize_graph.h"
#include "runtime/executor.h"
#include "textq/error.h"

namespace textq::quant {
namespace {

// A 3x3 conv whose weights sit 0.4 of a quantization step above a grid point:
// channel c has one weight at 127 * u (u = its scale, so max |w| = 127 u) and
// the others at (k + 0.4) u with k in [-3, 3], which round to k. With an input of
// non-zero mean the rounding errors add up instead of cancelling.
Node biased_conv(const std::string& name, int in, int out, int64_t ic, int64_t oc, Activation act, uint32_t seed) {
  Node n;
  n.name = name;
  n.op = OpKind::Conv;
  n.inputs = {in};
  n.output = out;
  n.window = Window2d::square(3, 1, 1);
  n.activation = act;
  n.weight = Tensor(DType::f32, {oc, ic, 3, 3});
  n.bias = Tensor(DType::f32, {oc});
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> k(-3, 3);
  const int64_t per_oc = ic * 9;
  for (int64_t c = 0; c < oc; ++c) {
    const float u = 0.002f * static_cast<float>(c + 1);
    float* w = n.weight.data<float>() + c * per_oc;
    w[0] = 127.f * u;
    for (int64_t j = 1; j < per_oc; ++j) w[j] = (static_cast<float>(k(rng)) + 0.4f) * u;
    n.bias.data<float>()[c] = 0.1f * static_cast<float>(c) - 0.2f;
  }
  return n;
}

Graph one_conv() {
  Graph g;
  g.add_value("input");
  g.add_value("y");
  g.nodes.push_back(biased_conv("conv", 0, 1, 3, 4, Activation::None, 1));
  g.outputs = {1};
  return g;
}

// conv_a (ReLU, u8 output read by conv_b) -> conv_b (ReLU) -> conv_c.
Graph three_convs() {
  Graph g;
  for (const char* v : {"input", "a", "b", "c"}) g.add_value(v);
  g.nodes.push_back(biased_conv("conv_a", 0, 1, 3, 6, Activation::Relu, 1));
  g.nodes.push_back(biased_conv("conv_b", 1, 2, 6, 6, Activation::Relu, 2));
  g.nodes.push_back(biased_conv("conv_c", 2, 3, 6, 5, Activation::None, 3));
  g.outputs = {3};
  return g;
}

// n inputs [1, 3, 10, 12], uniform in [0.2, 1.2) (non-zero mean); input i seeded first_seed + i.
CalibInputs positive_inputs(size_t n, uint32_t first_seed) {
  CalibInputs in;
  in.count = n;
  in.get = [first_seed](size_t i) {
    Tensor t(DType::f32, {1, 3, 10, 12});
    std::mt19937 rng(first_seed + static_cast<uint32_t>(i));
    std::uniform_real_distribution<float> d(0.2f, 1.2f);
    for (int64_t k = 0; k < t.numel(); ++k) t.data<float>()[k] = d(rng);
    return t;
  };
  return in;
}

Graph int8_of(const Graph& g) {
  CalibOptions co;
  co.method = CalibMethod::MinMax;
  return quantize_graph(g, calibrate(g, positive_inputs(3, 0), co), QuantOptions{});
}

// Per output channel mean of (graph b - graph a) outputs over the inputs.
std::vector<double> output_mean_error(const Graph& a, const Graph& b, const CalibInputs& inputs) {
  auto ea = make_executor(a, BackendKind::Reference, {});
  auto eb = make_executor(b, BackendKind::Reference, {});
  std::vector<double> sum;
  int64_t count = 0;
  for (size_t k = 0; k < inputs.count; ++k) {
    const Tensor x = inputs.get(k);
    const Tensor ya = ea->run(x).at(0), yb = eb->run(x).at(0);
    const int64_t c = ya.dim(1), plane = ya.dim(2) * ya.dim(3);
    sum.resize(static_cast<size_t>(c), 0.0);
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t j = 0; j < plane; ++j)
        sum[static_cast<size_t>(ch)] += yb.data<float>()[ch * plane + j] - ya.data<float>()[ch * plane + j];
    count += plane;
  }
  for (double& s : sum) s /= static_cast<double>(count);
  return sum;
}

// The graph with every INT8 conv's bias moved by `sign` times its correction.
Graph with_scaled_correction(const Graph& int8, const Graph& corrected, float sign) {
  Graph g = int8;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!g.nodes[i].quant.enabled) continue;
    Tensor b(DType::f32, g.nodes[i].bias.shape());
    for (int64_t c = 0; c < b.numel(); ++c) {
      const float old = int8.nodes[i].bias.data<float>()[c];
      b.data<float>()[c] = old + sign * (corrected.nodes[i].bias.data<float>()[c] - old);
    }
    g.nodes[i].bias = b;
  }
  return g;
}

TEST(BiasCorrection, OneConvMeanErrorVanishesOnTheCalibrationInputs) {
  const Graph fp32 = one_conv();
  const Graph int8 = int8_of(fp32);
  const CalibInputs calib = positive_inputs(3, 0);
  const Graph corrected = correct_biases(fp32, int8, calib, BiasCorrectionOptions{});

  const std::vector<double> before = output_mean_error(fp32, int8, calib);
  const std::vector<double> after = output_mean_error(fp32, corrected, calib);
  const std::vector<double> wrong = output_mean_error(fp32, with_scaled_correction(int8, corrected, -1.f), calib);
  // Weights rounded down by 0.4 u on inputs of mean 0.7: a shift of about -0.4 u * 0.7 * 26 taps per channel.
  for (size_t c = 0; c < before.size(); ++c) {
    EXPECT_LT(before[c], -0.002 * (c + 1)) << "channel " << c;  // systematic and negative before
    EXPECT_LT(std::fabs(after[c]), 1e-5) << "channel " << c;      // exactly removed (f32 rounding left)
    EXPECT_NEAR(wrong[c], 2 * before[c], 1e-5) << "channel " << c; // the wrong sign doubles it
  }
  // The bias moved by minus the error; the rest of the node is unchanged.
  const Node& n0 = int8.nodes[0];
  const Node& n1 = corrected.nodes[0];
  for (int64_t c = 0; c < n0.bias.numel(); ++c)
    EXPECT_NEAR(n1.bias.data<float>()[c], n0.bias.data<float>()[c] - before[static_cast<size_t>(c)], 1e-6);
  EXPECT_EQ(n1.quant.weight_scales, n0.quant.weight_scales);
  EXPECT_EQ(n1.quant.src_scale, n0.quant.src_scale);
  // The input graph's bias tensor was not written through a shared handle.
  EXPECT_NE(n1.bias.data<float>(), n0.bias.data<float>());
}

TEST(BiasCorrection, ThreeConvsEachLayerCorrectedOnItsCorrectedInput) {
  const Graph fp32 = three_convs();
  const Graph int8 = int8_of(fp32);
  const CalibInputs calib = positive_inputs(3, 0);
  std::vector<LayerBiasShift> shifts;
  const Graph corrected = correct_biases(fp32, int8, calib, BiasCorrectionOptions{}, nullptr, &shifts);
  ASSERT_EQ(shifts.size(), 3u);
  EXPECT_EQ(shifts[0].name, "conv_a");
  EXPECT_EQ(shifts[2].name, "conv_c");
  // Sequential: each layer's bias moved by minus its mean error measured on
  // the input the corrected graph gives it (a one-shot correction, all
  // measured on the uncorrected graph, would not match for conv_b and conv_c,
  // whose inputs the upstream corrections changed).
  for (size_t i = 0; i < 3; ++i) {
    const std::vector<double> own = layer_mean_error(fp32, corrected, i, calib, BiasCorrectionOptions{});
    for (size_t c = 0; c < own.size(); ++c)
      EXPECT_NEAR(corrected.nodes[i].bias.data<float>()[c] - int8.nodes[i].bias.data<float>()[c], -own[c], 1e-6)
          << corrected.nodes[i].name << " channel " << c;
  }
  const std::vector<double> b_seq = layer_mean_error(fp32, corrected, 1, calib, BiasCorrectionOptions{});
  const std::vector<double> b_one_shot = layer_mean_error(fp32, int8, 1, calib, BiasCorrectionOptions{});
  double moved = 0;
  for (size_t c = 0; c < b_seq.size(); ++c) moved = std::max(moved, std::fabs(b_seq[c] - b_one_shot[c]));
  EXPECT_GT(moved, 1e-4);
  // End to end, on held-out inputs, the graph output's mean error per channel shrinks.
  const CalibInputs held_out = positive_inputs(4, 100);
  const std::vector<double> before = output_mean_error(fp32, int8, held_out);
  const std::vector<double> after = output_mean_error(fp32, corrected, held_out);
  const std::vector<double> wrong = output_mean_error(fp32, with_scaled_correction(int8, corrected, -1.f), held_out);
  for (size_t c = 0; c < before.size(); ++c) {
    EXPECT_LT(std::fabs(after[c]), 0.25 * std::fabs(before[c])) << "channel " << c;
    EXPECT_GT(std::fabs(wrong[c]), std::fabs(before[c])) << "channel " << c;
  }
}

TEST(BiasCorrection, DeterministicAndLeavesFp32LayersAlone) {
  const Graph fp32 = three_convs();
  CalibOptions co;
  co.method = CalibMethod::MinMax;
  QuantOptions qo;
  qo.fp32_layers = {"conv_b"};
  const Graph int8 = quantize_graph(fp32, calibrate(fp32, positive_inputs(3, 0), co), qo);
  const CalibInputs calib = positive_inputs(2, 0);
  const Graph a = correct_biases(fp32, int8, calib, BiasCorrectionOptions{});
  const Graph b = correct_biases(fp32, int8, calib, BiasCorrectionOptions{});
  for (size_t i = 0; i < a.nodes.size(); ++i)
    for (int64_t c = 0; c < a.nodes[i].bias.numel(); ++c)
      EXPECT_EQ(a.nodes[i].bias.data<float>()[c], b.nodes[i].bias.data<float>()[c]);
  // conv_b stays FP32 with its own bias (the same tensor).
  EXPECT_FALSE(a.nodes[1].quant.enabled);
  EXPECT_EQ(a.nodes[1].bias.data<float>(), int8.nodes[1].bias.data<float>());
  EXPECT_NE(a.nodes[0].bias.data<float>()[0], int8.nodes[0].bias.data<float>()[0]);
}

TEST(BiasCorrection, RefusesNoInputsAndMismatchedGraphs) {
  const Graph fp32 = three_convs();
  const Graph int8 = int8_of(fp32);
  EXPECT_THROW(correct_biases(fp32, int8, CalibInputs{}, BiasCorrectionOptions{}), Error);
  EXPECT_THROW(correct_biases(one_conv(), int8, positive_inputs(1, 0), BiasCorrectionOptions{}), Error);
  EXPECT_THROW(layer_mean_error(fp32, fp32, 0, positive_inputs(1, 0), BiasCorrectionOptions{}), Error);  // not INT8
}

}  // namespace
}  // namespace textq::quant
