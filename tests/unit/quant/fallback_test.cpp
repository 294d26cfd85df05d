// quantize --max-drop's loop: layers go back to FP32 in sensitivity order
// until the (here synthetic) task metric is within the allowed drop.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "quant/calibrator.h"
#include "quant/fallback.h"
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

CalibrationTable table_for(const Graph& g) {
  CalibInputs in;
  in.count = 2;
  in.get = [](size_t i) {
    Tensor t(DType::f32, {1, 3, 12, 10});
    std::mt19937 rng(static_cast<uint32_t>(i));
    std::uniform_real_distribution<float> d(-1.f, 1.f);
    for (int64_t k = 0; k < t.numel(); ++k) t.data<float>()[k] = d(rng);
    return t;
  };
  CalibOptions co;
  co.method = CalibMethod::MinMax;
  return calibrate(g, in, co);
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

TEST(Fallback, SensitivityOrderIsLeastSqnrFirstAmongInt8Layers) {
  std::vector<LayerDiag> rows(4);
  rows[0] = {"x", "Conv", true, "", "", 0, 0, 0, 30.0};
  rows[1] = {"y", "Conv", true, "", "", 0, 0, 0, 12.0};
  rows[2] = {"head", "Conv", false, "", "", 0, 0, 0, 5.0};  // FP32 already: never moved
  rows[3] = {"z", "Conv", true, "", "", 0, 0, 0, 12.0};
  EXPECT_EQ(sensitivity_order(rows), (std::vector<std::string>{"y", "z", "x"}));
}

}  // namespace
}  // namespace textq::quant
