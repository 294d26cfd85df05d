// quantize --max-drop's loop: layers go back to FP32 in sensitivity order
// until the (here synthetic) task metric is within the allowed drop; and the
// leave-one-out sensitivity that gives the order.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "quant/calibrator.h"
#include "quant/fallback.h"
#include "quant/sensitivity.h"
#include "textq/error.h"

namespace textq::quant {
namespace {

Node relu_conv(const std::string& name, int in, int out, int64_t ic, int64_t oc, uint32_t seed) {
  Node n;
  n.name = name;
  n.op = OpKind::Conv;
  n.inputs = {in};
  n.output = out;
  n.window.kernel_h = n.window.kernel_w = 3;
  n.window.pad_top = n.window.pad_left = n.window.pad_bottom = n.window.pad_right = 1;
  n.activation = Activation::Relu;
  n.weight = Tensor(DType::f32, {oc, ic, 3, 3});
  n.bias = Tensor(DType::f32, {oc});
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-0.5f, 0.5f);
  for (int64_t i = 0; i < n.weight.numel(); ++i) n.weight.data<float>()[i] = d(rng);
  return n;
}

Graph three_convs() {
  Graph g;
  for (const char* v : {"input", "a", "b", "c"}) g.add_value(v);
  g.nodes.push_back(relu_conv("conv_a", 0, 1, 3, 8, 1));
  g.nodes.push_back(relu_conv("conv_b", 1, 2, 8, 8, 2));
  g.nodes.push_back(relu_conv("conv_c", 2, 3, 8, 8, 3));
  g.outputs = {3};
  return g;
}

// n uniform [-1, 1) inputs [1, 3, 12, 10]; input i is seeded first_seed + i.
CalibInputs random_inputs(size_t n, uint32_t first_seed) {
  CalibInputs in;
  in.count = n;
  in.get = [first_seed](size_t i) {
    Tensor t(DType::f32, {1, 3, 12, 10});
    std::mt19937 rng(first_seed + static_cast<uint32_t>(i));
    std::uniform_real_distribution<float> d(-1.f, 1.f);
    for (int64_t k = 0; k < t.numel(); ++k) t.data<float>()[k] = d(rng);
    return t;
  };
  return in;
}

CalibrationTable table_for(const Graph& g) {
  CalibOptions co;
  co.method = CalibMethod::MinMax;
  return calibrate(g, random_inputs(2, 0), co);
}

int int8_nodes(const Graph& g) {
  int n = 0;
  for (const Node& node : g.nodes) n += node.quant.enabled;
  return n;
}

TEST(Fallback, MovesLayersInOrderUntilWithinTheDrop) {
  const Graph g = three_convs();
  const CalibrationTable t = table_for(g);
  // A metric that loses 0.1 per INT8 layer: 1.0 for FP32, 0.7 all INT8.
  const GraphMetric metric = [](const Graph& graph) { return 1.0 - 0.1 * int8_nodes(graph); };
  const FallbackResult r = fallback_until_within(g, t, QuantOptions{}, {"conv_c", "conv_a", "conv_b"}, 0.15, 8, metric);
  EXPECT_TRUE(r.within);
  EXPECT_DOUBLE_EQ(r.fp32_metric, 1.0);
  ASSERT_EQ(r.steps.size(), 3u);  // all INT8, then two moves
  EXPECT_NEAR(r.steps[0].metric, 0.7, 1e-12);
  EXPECT_EQ(r.steps[1].layer, "conv_c");
  EXPECT_EQ(r.steps[2].layer, "conv_a");
  EXPECT_EQ(r.fp32_layers, (std::vector<std::string>{"conv_c", "conv_a"}));
  EXPECT_EQ(int8_nodes(r.graph), 1);
  for (const Node& n : r.graph.nodes) EXPECT_EQ(n.quant.enabled, n.name == "conv_b") << n.name;
}

TEST(Fallback, UndoesAMoveThatDoesNotRaiseTheMetric) {
  const Graph g = three_convs();
  const CalibrationTable t = table_for(g);
  // conv_b in FP32 lowers the metric (a noisy detection metric can); conv_a
  // and conv_c each raise it by 0.1.
  const GraphMetric metric = [](const Graph& graph) {
    double m = 0.7;
    for (const Node& n : graph.nodes) {
      if (n.quant.enabled) continue;
      m += n.name == "conv_b" ? -0.05 : 0.1;
    }
    return m;
  };
  const FallbackResult r = fallback_until_within(g, t, QuantOptions{}, {"conv_b", "conv_a", "conv_c"}, 0.06, 8, metric);
  // FP32 = 0.7 + 0.2 - 0.05 = 0.85; all INT8 0.7; conv_b undone; conv_a kept (0.8, drop 0.05: within 0.06).
  EXPECT_TRUE(r.within);
  ASSERT_EQ(r.steps.size(), 3u);
  EXPECT_EQ(r.steps[1].layer, "conv_b");
  EXPECT_FALSE(r.steps[1].kept);
  EXPECT_NEAR(r.steps[1].metric, 0.65, 1e-12);
  EXPECT_EQ(r.steps[2].layer, "conv_a");
  EXPECT_TRUE(r.steps[2].kept);
  EXPECT_EQ(r.fp32_layers, (std::vector<std::string>{"conv_a"}));
  EXPECT_EQ(r.moved, 1);
  EXPECT_NEAR(r.metric, 0.8, 1e-12);
  for (const Node& n : r.graph.nodes) EXPECT_EQ(n.quant.enabled, n.name != "conv_a") << n.name;
}

TEST(Fallback, AKnownFp32MetricIsNotMeasured) {
  const Graph g = three_convs();
  const CalibrationTable t = table_for(g);
  int fp32_runs = 0;
  const GraphMetric metric = [&](const Graph& graph) {
    fp32_runs += int8_nodes(graph) == 0;
    return 1.0 - 0.1 * int8_nodes(graph);
  };
  const FallbackResult r = fallback_until_within(g, t, QuantOptions{}, {"conv_c", "conv_a", "conv_b"}, 0.15, 8, metric, 1.0);
  EXPECT_EQ(fp32_runs, 0);
  EXPECT_DOUBLE_EQ(r.fp32_metric, 1.0);
  EXPECT_TRUE(r.within);
  EXPECT_EQ(r.moved, 2);
}

TEST(Fallback, StopsAtTheMoveLimitAndSaysSo) {
  const Graph g = three_convs();
  const CalibrationTable t = table_for(g);
  const GraphMetric metric = [](const Graph& graph) { return 1.0 - 0.1 * int8_nodes(graph); };
  const FallbackResult r = fallback_until_within(g, t, QuantOptions{}, {"conv_a", "conv_b", "conv_c"}, 0.0, 1, metric);
  EXPECT_FALSE(r.within);
  EXPECT_EQ(r.steps.size(), 2u);
  EXPECT_THROW(fallback_until_within(g, t, QuantOptions{}, {}, -0.1, 1, metric), Error);
  EXPECT_THROW(fallback_until_within(g, t, QuantOptions{}, {}, NAN, 1, metric), Error);
}

TEST(Sensitivity, LeaveOneOutFindsTheLayerWhoseInputIsClipped) {
  const Graph g = three_convs();
  CalibrationTable t = table_for(g);
  // Clip value "a" (conv_a's output, conv_b's INT8 input) to a tenth of its
  // range: only conv_b going FP32 removes that error (conv_a then outputs f32
  // to an FP32 consumer); conv_a or conv_c going FP32 leaves it in place.
  ValueCalib& a = t.values.at(1);
  a.threshold /= 10;
  a.scale /= 10;
  const SensitivityResult r = leave_one_out_sensitivity(g, t, QuantOptions{}, random_inputs(2, 100), DiagOptions{});
  ASSERT_EQ(r.layers.size(), 3u);
  EXPECT_EQ(fallback_order(r)[0], "conv_b");
  EXPECT_GT(r.layers[0].gain_db, 10.0);
  EXPECT_LT(r.layers[1].gain_db, 3.0);
  EXPECT_NEAR(r.layers[0].output_sqnr_db - r.all_int8_sqnr_db, r.layers[0].gain_db, 1e-9);
  EXPECT_TRUE(std::isfinite(r.all_int8_sqnr_db));
}

TEST(Sensitivity, SkipsLayersAlreadyFp32AndNeedsInputs) {
  const Graph g = three_convs();
  const CalibrationTable t = table_for(g);
  QuantOptions o;
  o.fp32_layers = {"conv_c"};
  const SensitivityResult r = leave_one_out_sensitivity(g, t, o, random_inputs(1, 100), DiagOptions{});
  EXPECT_EQ(r.layers.size(), 2u);
  for (const auto& l : r.layers) EXPECT_NE(l.name, "conv_c");
  EXPECT_THROW(leave_one_out_sensitivity(g, t, o, random_inputs(0, 100), DiagOptions{}), Error);
}

}  // namespace
}  // namespace textq::quant
