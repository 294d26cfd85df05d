// Calibration + graph rewrite on a small hand-made graph that has every
// structural case: maxpool pass-through, a concat of an s8 producer and a u8
// one that is also read elsewhere (so keeps its own scale), a residual, and a head conv. Checks types, shared scales, residual scales,
// head/FP32 decisions, minmax thresholds against a direct computation, error
// messages, and that the INT8 graph runs close to FP32.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "common/graph_nodes.h"
#include "quant/calibrator.h"
#include "quant/diagnostics.h"
#include "quant/quantize_graph.h"
#include "quant/weight_quant.h"
#include "runtime/executor.h"
#include "textq/error.h"

namespace textq::quant {
namespace {

Tensor random_tensor(const Shape& s, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  Tensor t(DType::f32, s);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// Each tensor has its own seed, so argument evaluation order does not matter.
Node conv(const std::string& name, std::vector<int> in, int out, int64_t ic, int64_t oc, int k, Activation act, uint32_t seed) {
  return test::conv_node(name, std::move(in), out, random_tensor({oc, ic, k, k}, seed, -0.5f, 0.5f),
                         random_tensor({oc}, seed + 100, -0.1f, 0.1f), k, 1, k / 2, act);
}

// input -a(relu)-> v1 -pool-> v2 -b-> v3 (s8)
//                              v2 -c(relu)-> v4 ; cat[v3, v4] -> v5 -d(+v4, relu)-> v6 -head-> v7
Graph test_graph() {
  Graph g;
  for (const char* v : {"input", "v1", "v2", "v3", "v4", "v5", "v6", "v7"}) g.add_value(v);
  g.nodes.push_back(conv("a", {0}, 1, 3, 4, 3, Activation::Relu, 1));
  g.nodes.push_back(test::max_pool_node("pool", 1, 2, 2, 2));
  g.nodes.push_back(conv("b", {2}, 3, 4, 4, 1, Activation::None, 2));
  g.nodes.push_back(conv("c", {2}, 4, 4, 4, 3, Activation::Relu, 3));
  g.nodes.push_back(test::concat_node("cat", {3, 4}, 5));
  g.nodes.push_back(conv("d", {5, 4}, 6, 8, 4, 1, Activation::Relu, 4));
  g.nodes.push_back(conv("x_head.out_conv", {6}, 7, 4, 2, 1, Activation::None, 5));
  g.outputs = {7};
  g.verify();
  return g;
}

CalibInputs test_inputs() {
  CalibInputs in;
  in.count = 3;
  in.get = [](size_t i) { return random_tensor({1, 3, 10, 14}, 50 + static_cast<uint32_t>(i), -2.f, 2.5f); };
  return in;
}

const Node& node(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes)
    if (n.name == name) return n;
  throw std::runtime_error("no node " + name);
}

TEST(QuantizeGraph, TypesScalesAndSharing) {
  const Graph g = test_graph();
  CalibOptions co;
  co.method = CalibMethod::MinMax;
  const CalibrationTable t = calibrate(g, test_inputs(), co);

  // Minmax thresholds = group abs max, computed here directly.
  std::vector<double> absmax(8, 0.0);
  auto exec = make_executor(g, BackendKind::Reference, {});
  const CalibInputs in = test_inputs();
  NodeObserver obs = [&](const Node& n, const Tensor& out) {
    for (int64_t i = 0; i < out.numel(); ++i) absmax[n.output] = std::fmax(absmax[n.output], std::fabs(out.data<float>()[i]));
  };
  for (size_t i = 0; i < in.count; ++i) {
    const Tensor x = in.get(i);
    for (int64_t j = 0; j < x.numel(); ++j) absmax[0] = std::fmax(absmax[0], std::fabs(x.data<float>()[j]));
    exec->run(x, &obs);
  }
  EXPECT_FLOAT_EQ(t.values[0].threshold, absmax[0]);
  EXPECT_FLOAT_EQ(t.values[1].threshold, absmax[1]);
  EXPECT_EQ(t.values[2].threshold, t.values[1].threshold);  // maxpool shares its input's scale
  // The concat group: its output and v3 (read by the concat only); v4 is also
  // d's residual, so it keeps its own scale but its values are in the group's
  // statistics (the concat output holds them).
  EXPECT_FLOAT_EQ(t.values[3].threshold, std::max(absmax[3], absmax[4]));
  EXPECT_EQ(t.values[5].threshold, t.values[3].threshold);
  EXPECT_FLOAT_EQ(t.values[4].threshold, absmax[4]);
  EXPECT_NE(t.values[4].group, t.values[5].group);
  EXPECT_EQ(t.values[0].type, DType::i8);
  EXPECT_EQ(t.values[1].type, DType::u8);
  EXPECT_EQ(t.values[4].type, DType::u8);  // c's own group: a ReLU output
  EXPECT_EQ(t.values[5].type, DType::i8);  // b has no ReLU, so the concat group is s8
  EXPECT_FLOAT_EQ(t.values[1].scale, static_cast<float>(absmax[1] / 255));
  EXPECT_FLOAT_EQ(t.values[0].scale, static_cast<float>(absmax[0] / 127));

  const Graph q = quantize_graph(g, t, QuantOptions{});
  const Node &a = node(q, "a"), &b = node(q, "b"), &c = node(q, "c"), &d = node(q, "d"), &h = node(q, "x_head.out_conv");
  EXPECT_TRUE(a.quant.enabled && b.quant.enabled && c.quant.enabled && d.quant.enabled);
  EXPECT_FALSE(h.quant.enabled);  // head kept FP32 by default
  EXPECT_EQ(h.weight.dtype(), DType::f32);
  EXPECT_EQ(a.weight.dtype(), DType::i8);  // no FP32 copy of quantized weights
  EXPECT_EQ(a.quant.src_type, DType::i8);
  EXPECT_EQ(a.quant.src_scale, t.values[0].scale);
  EXPECT_EQ(a.quant.dst_type, DType::u8);
  EXPECT_EQ(b.quant.src_type, DType::u8);
  EXPECT_EQ(b.quant.src_scale, a.quant.dst_scale);  // through the maxpool, no requantization
  EXPECT_EQ(b.quant.dst_type, DType::i8);
  EXPECT_EQ(c.quant.dst_type, DType::u8);  // its own scale, requantized into the concat
  EXPECT_FLOAT_EQ(c.quant.dst_scale, static_cast<float>(absmax[4] / 255));
  EXPECT_EQ(d.quant.src_scale, b.quant.dst_scale);
  EXPECT_EQ(d.quant.residual_scale, c.quant.dst_scale);
  EXPECT_EQ(d.quant.dst_type, DType::f32);  // its only consumer (the head) is FP32

  QuantOptions qo;
  qo.int8_head = true;
  const Graph q2 = quantize_graph(g, t, qo);
  EXPECT_TRUE(node(q2, "x_head.out_conv").quant.enabled);
  EXPECT_EQ(node(q2, "x_head.out_conv").quant.dst_type, DType::f32);
  EXPECT_EQ(node(q2, "x_head.out_conv").quant.src_type, DType::u8);
  EXPECT_EQ(node(q2, "d").quant.dst_type, DType::u8);

  // Diagnostics: per-channel SQNR for the graph-output node (the head) only.
  const std::vector<LayerDiag> rows = compare_layers(g, q2, t, in, DiagOptions{});
  ASSERT_EQ(rows.size(), 5u);
  for (size_t i = 0; i + 1 < rows.size(); ++i) EXPECT_TRUE(rows[i].channel_sqnr_db.empty()) << rows[i].name;
  ASSERT_EQ(rows.back().channel_sqnr_db.size(), 2u);
  const double lo = std::min(rows.back().channel_sqnr_db[0], rows.back().channel_sqnr_db[1]);
  const double hi = std::max(rows.back().channel_sqnr_db[0], rows.back().channel_sqnr_db[1]);
  EXPECT_TRUE(std::isfinite(lo) && lo > 10.0);
  EXPECT_LE(rows.back().sqnr_db, hi + 1e-9);  // the all-element SQNR is a mix of the channels'
  EXPECT_GE(rows.back().sqnr_db, lo - 1e-9);

  // The INT8 graph runs on the reference backend and stays close to FP32.
  auto e8 = make_executor(q2, BackendKind::Reference, {});
  const Tensor x = in.get(0);
  const Tensor r = exec->run(x).at(0), y = e8->run(x).at(0);
  double rr = 0, ee = 0;
  for (int64_t i = 0; i < r.numel(); ++i) {
    const double u = r.data<float>()[i], v = y.data<float>()[i];
    rr += u * u;
    ee += (u - v) * (u - v);
  }
  const double sqnr = 10 * std::log10(rr / ee);
  EXPECT_GT(sqnr, 25.0);
  std::printf("small graph INT8 vs FP32 output SQNR %.2f dB\n", sqnr);
}

TEST(QuantizeGraph, Fp32LayersAndErrors) {
  const Graph g = test_graph();
  const CalibrationTable t = calibrate(g, test_inputs(), CalibOptions{});
  QuantOptions qo;
  qo.fp32_layers = {"c"};
  const Graph q = quantize_graph(g, t, qo);
  EXPECT_FALSE(node(q, "c").quant.enabled);
  EXPECT_EQ(node(q, "b").quant.dst_type, DType::i8);  // d still consumes the concat as INT8
  EXPECT_EQ(node(q, "d").quant.residual_scale, 0.f);  // residual from an FP32 producer arrives f32

  auto message = [&](const QuantOptions& o, const Graph& graph, const CalibrationTable& table) -> std::string {
    try {
      quantize_graph(graph, table, o);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  qo.fp32_layers = {"cc"};
  EXPECT_NE(message(qo, g, t).find("close matches: c"), std::string::npos) << message(qo, g, t);
  qo.fp32_layers = {"pool"};
  EXPECT_NE(message(qo, g, t).find("MaxPool"), std::string::npos);
  // Already INT8.
  const Graph q8 = quantize_graph(g, t, QuantOptions{});
  EXPECT_NE(message(QuantOptions{}, q8, t).find("already INT8"), std::string::npos);
  EXPECT_THROW(calibrate(q8, test_inputs(), CalibOptions{}), Error);
  // An all-zero activation has no scale: the error names the consuming layer.
  Graph z = g;
  for (Node& n : z.nodes)
    if (n.name == "a") {
      std::fill(n.weight.data<float>(), n.weight.data<float>() + n.weight.numel(), 0.f);
      std::fill(n.bias.data<float>(), n.bias.data<float>() + n.bias.numel(), 0.f);
    }
  const CalibrationTable tz = calibrate(z, test_inputs(), CalibOptions{});
  const std::string m = message(QuantOptions{}, z, tz);
  EXPECT_NE(m.find("node a: output `v1` has threshold 0"), std::string::npos) << m;
  EXPECT_NE(m.find("--fp32-layers b,c"), std::string::npos) << m;
  // No inputs.
  EXPECT_THROW(calibrate(g, CalibInputs{}, CalibOptions{}), Error);
}

TEST(WeightQuant, PerChannelScalesZeroChannelAndNonFinite) {
  Node n = conv("w", {0}, 1, 3, 3, 3, Activation::None, 9);
  float* w = n.weight.data<float>();
  for (int i = 0; i < 27; ++i) w[27 + i] = 0.f;  // channel 1 all zero
  w[0] = 0.75f;                                   // channel 0 abs max
  for (int i = 1; i < 27; ++i) w[i] = std::fmax(std::fmin(w[i], 0.7f), -0.7f);
  const QuantizedWeight q = quantize_weight_per_oc(n);
  EXPECT_FLOAT_EQ(q.scales[0], 0.75f / 127);
  EXPECT_EQ(q.scales[1], 1.f);
  EXPECT_EQ(q.weight.data<int8_t>()[0], 127);
  for (int i = 0; i < 27; ++i) EXPECT_EQ(q.weight.data<int8_t>()[27 + i], 0);
  for (int i = 0; i < 81; ++i) EXPECT_LE(std::fabs(q.scales[i / 27] * q.weight.data<int8_t>()[i] - w[i]), q.scales[i / 27] / 2 + 1e-7);

  // ConvTranspose [IC, OC/g, KH, KW]: output channel j collects W[:, j].
  Node t = n;
  t.op = OpKind::ConvTranspose;
  t.weight = random_tensor({5, 2, 2, 2}, 4);
  t.weight.data<float>()[3 * 8 + 1 * 4 + 2] = 3.f;  // ic 3, oc 1
  t.bias = Tensor();
  const QuantizedWeight qt = quantize_weight_per_oc(t);
  ASSERT_EQ(qt.scales.size(), 2u);
  EXPECT_FLOAT_EQ(qt.scales[1], 3.f / 127);
  EXPECT_LT(qt.scales[0], 1.f / 127 + 1e-9);

  w[5] = NAN;
  try {
    quantize_weight_per_oc(n);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node w: output channel 0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace textq::quant
