// quant/nonneg_shift.h: the shift of HardSwish-fed conv inputs must leave the
// FP32 graph's output unchanged (to rounding), border pixels of padded convs
// included, and make those inputs u8 scale groups; the INT8 graph then
// quantizes them on twice the resolution.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "quant/calibrator.h"
#include "quant/nonneg_shift.h"
#include "quant/quantize_graph.h"
#include "quant/scale_groups.h"
#include "runtime/executor.h"

namespace textq::quant {
namespace {

Tensor random_tensor(Shape shape, std::mt19937& rng, float lo, float hi) {
  Tensor t(DType::f32, std::move(shape));
  std::uniform_real_distribution<float> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

Node node(const std::string& name, OpKind op, int in, int out) {
  Node n;
  n.name = name;
  n.op = op;
  n.inputs = {in};
  n.output = out;
  return n;
}

// conv0 -> HardSwish -> Affine(0.5 x - 0.01) -> depthwise 3x3 (pad 1) -> HardSwish -> 1x1 conv (reads HardSwish directly).
Graph hardswish_graph() {
  std::mt19937 rng(7);
  Graph g;
  for (const char* v : {"input", "c0", "h0", "a0", "dw", "h1", "pw"}) g.add_value(v);
  Node c0 = node("conv0", OpKind::Conv, 0, 1);
  c0.window = Window2d::square(3, 1, 1);
  c0.weight = random_tensor({6, 3, 3, 3}, rng, -0.5f, 0.5f);
  c0.bias = random_tensor({6}, rng, -0.2f, 0.2f);
  g.nodes.push_back(c0);
  g.nodes.push_back(node("hswish0", OpKind::HardSwish, 1, 2));
  Node a = node("affine0", OpKind::Affine, 2, 3);
  a.weight = Tensor(DType::f32, {1});
  a.weight.data<float>()[0] = 0.5f;
  a.bias = Tensor(DType::f32, {1});
  a.bias.data<float>()[0] = -0.01f;
  g.nodes.push_back(a);
  Node dw = node("dw", OpKind::Conv, 3, 4);
  dw.window = Window2d::square(3, 1, 1);
  dw.window.groups = 6;
  dw.weight = random_tensor({6, 1, 3, 3}, rng, -0.5f, 0.5f);
  dw.bias = random_tensor({6}, rng, -0.2f, 0.2f);
  g.nodes.push_back(dw);
  g.nodes.push_back(node("hswish1", OpKind::HardSwish, 4, 5));
  Node pw = node("pw", OpKind::Conv, 5, 6);
  pw.weight = random_tensor({4, 6, 1, 1}, rng, -0.5f, 0.5f);
  pw.bias = random_tensor({4}, rng, -0.2f, 0.2f);
  g.nodes.push_back(pw);
  g.outputs = {6};
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

TEST(NonnegShift, Fp32OutputUnchangedBordersIncluded) {
  const Graph g = hardswish_graph();
  const NonnegShiftResult r = shift_hardswish_inputs(g, {});
  EXPECT_EQ(r.shifted_convs, (std::vector<std::string>{"dw", "pw"}));
  EXPECT_EQ(r.pads_added, 1);  // dw has padding, pw is 1x1
  auto a = make_executor(g, BackendKind::Reference, {});
  auto b = make_executor(r.graph, BackendKind::Reference, {});
  for (size_t k = 0; k < 3; ++k) {
    const Tensor x = inputs(3, 0).get(k);
    const Tensor ya = a->run(x).at(0), yb = b->run(x).at(0);
    ASSERT_EQ(ya.shape(), yb.shape());
    for (int64_t i = 0; i < ya.numel(); ++i)  // every pixel, the border rows and columns too
      EXPECT_NEAR(yb.data<float>()[i], ya.data<float>()[i], 1e-5f + 1e-5f * std::fabs(ya.data<float>()[i])) << i;
  }
  // The original graph's tensors were not written through shared handles.
  EXPECT_FLOAT_EQ(g.nodes[2].bias.data<float>()[0], -0.01f);
}

TEST(NonnegShift, ShiftedInputsAreNonNegativeU8Groups) {
  const Graph g = hardswish_graph();
  const Graph s = shift_hardswish_inputs(g, {}).graph;
  const std::vector<double> lb_before = value_lower_bounds(g);
  EXPECT_DOUBLE_EQ(lb_before[2], -0.375);
  EXPECT_NEAR(lb_before[3], 0.5 * -0.375 - 0.01, 1e-9);
  const std::vector<double> lb = value_lower_bounds(s);
  const ScaleGroups groups = build_scale_groups(s);
  for (const Node& n : s.nodes) {
    if (n.op != OpKind::Conv || n.name == "conv0") continue;
    EXPECT_GE(lb[n.inputs[0]], 0.0) << n.name;
    EXPECT_TRUE(groups.group_nonneg[groups.group_of[n.inputs[0]]]) << n.name;
  }
  // Before the shift they are s8 (a negative tail).
  const ScaleGroups before = build_scale_groups(g);
  EXPECT_FALSE(before.group_nonneg[before.group_of[3]]);
  // Quantized: u8 inputs, and the INT8 graph is closer to FP32 than without the shift.
  CalibOptions co;
  co.method = CalibMethod::MinMax;
  const Graph qs = quantize_graph(s, calibrate(s, inputs(4, 0), co), QuantOptions{});
  const Graph qg = quantize_graph(g, calibrate(g, inputs(4, 0), co), QuantOptions{});
  for (const Node& n : qs.nodes) {
    if (n.name == "dw" || n.name == "pw") {
      EXPECT_EQ(n.quant.src_type, DType::u8) << n.name;
    }
  }
  auto err = [&](const Graph& q) {
    auto f = make_executor(g, BackendKind::Reference, {});
    auto e = make_executor(q, BackendKind::Reference, {});
    double noise = 0;
    for (size_t k = 0; k < 4; ++k) {
      const Tensor x = inputs(4, 50).get(k);
      const Tensor yf = f->run(x).at(0), yq = e->run(x).at(0);
      for (int64_t i = 0; i < yf.numel(); ++i) noise += std::pow(yq.data<float>()[i] - yf.data<float>()[i], 2);
    }
    return noise;
  };
  EXPECT_LT(err(qs), err(qg));
}

TEST(NonnegShift, SkipsFp32ReadersAndOtherReaders) {
  const Graph g = hardswish_graph();
  const NonnegShiftResult r = shift_hardswish_inputs(g, {"dw"});
  EXPECT_EQ(r.shifted_convs, (std::vector<std::string>{"pw"}));
  EXPECT_EQ(r.pads_added, 0);
  // A value also read by a non-conv (here: a graph output) is left alone.
  Graph h = hardswish_graph();
  h.outputs.push_back(3);
  EXPECT_EQ(shift_hardswish_inputs(h, {}).shifted_convs, (std::vector<std::string>{"pw"}));
}

}  // namespace
}  // namespace textq::quant
