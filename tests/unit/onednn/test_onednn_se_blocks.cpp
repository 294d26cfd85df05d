// Squeeze-excitation blocks after a 1x1 conv run inside the conv (fast runs):
// the pool averages the conv's input (ir/pool_before_pointwise.h), the gated
// skip x + x * g becomes x * (g + 1) (ir/residual_gate.h), and the conv takes
// the Mul by the gate and the FPN Add after it as binary post-ops
// (OneDnnTuning::conv_binary_epilogues). The rewrites are exact in real
// arithmetic: FP32 must match the reference backend on the graph as given,
// INT8 the node-by-node run up to a rounding flip.
#include "backends/onednn/epilogue.h"
#include "int8_graph.h"
#include "ir/pool_before_pointwise.h"
#include "ir/residual_gate.h"

namespace textq::test {
namespace {

// in -> a (3x3, 8 -> 12) -> x = 1x1 (12 -> 32, linear) -> SE: gap, 1x1 + ReLU,
// 1x1, HardSigmoid = g; s = x + x * g; y (made after s) = 1x1 of a;
// t = s + y, read by a 1x1 and a depthwise 3x3 (PP-OCRv4's RSE + FPN sum).
struct SeGraph {
  Graph graph;
  int x = -1, s = -1;
};
SeGraph se_graph(int x_stride = 1, Activation x_act = Activation::None) {
  const int c = 32;
  GraphMaker m(23);
  const int a = m.conv(m.input(), 8, 12, 3, 1, 1, false);
  SeGraph out;
  out.x = m.conv(a, 12, c, 1, x_stride, 0, x_act == Activation::Relu);
  const int gap = add_op(m, OpKind::GlobalAveragePool, out.x);
  OpAttrs hs;
  hs.alpha = 1.f, hs.beta = 0.5f;  // steep: the gate moves the output visibly
  const int g = add_op(m, OpKind::HardSigmoid, m.conv(m.conv(gap, c, 8, 1, 1, 0, true), 8, c, 1, 1, 0, false), -1, hs);
  const int mul = add_op(m, OpKind::Mul, out.x, g);
  out.s = add_op(m, OpKind::Add, mul, out.x);
  const int y = m.conv(a, 12, c, 1, x_stride, 0, false);
  const int t = add_op(m, OpKind::Add, out.s, y);
  out.graph = m.graph({m.conv(t, c, 16, 1, 1, 0, false), m.conv(t, c, c, 3, 1, 1, false, -1, c)});
  return out;
}

float max_magnitude(const std::vector<Tensor>& a) {
  float m = 0.f;
  for (const Tensor& t : a)
    for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::fabs(t.data<float>()[i]));
  return m;
}

std::string mul_name(const Graph& g) {
  for (const Node& n : g.nodes)
    if (n.op == OpKind::Mul) return n.name;
  return "";
}

OneDnnTuning without_se_rewrites() {
  OneDnnTuning t;
  t.pool_before_pointwise = false;
  t.conv_binary_epilogues = false;
  return t;
}

TEST(OneDnnSeBlocks, PoolMovesBeforeALinearPointwiseConvOnly) {
  std::vector<std::string> moved;
  const Graph g = pool_before_pointwise(se_graph().graph, &moved);
  ASSERT_EQ(moved.size(), 1u);
  // The new pool reads x's input; the new 1x1 makes the old pool's value.
  const Graph given = se_graph().graph;
  const Node* pool = nullptr;
  for (const Node& n : g.nodes)
    if (n.op == OpKind::GlobalAveragePool) pool = &n;
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->name, moved[0] + ".input_mean");
  EXPECT_EQ(pool->inputs[0], given.producer(se_graph().x)->inputs[0]);
  EXPECT_EQ(make_reference_executor(g, {})->run(grid_input({1, 8, 20, 28}, 0.05f, -20, 20, 3)).size(), 2u);

  // Strided, or with an activation: not a mean of x's input any more.
  moved.clear();
  pool_before_pointwise(se_graph(2).graph, &moved);
  pool_before_pointwise(se_graph(1, Activation::Relu).graph, &moved);
  EXPECT_TRUE(moved.empty());
  // INT8: only when the conv reads its producer's own integers.
  Int8Options o;
  const Shape in{1, 8, 20, 28};
  Graph int8 = make_int8(se_graph().graph, grid_input(in, o.input_scale, -100, 100, 5), o);
  pool_before_pointwise(int8, &moved);
  EXPECT_EQ(moved.size(), 1u);
  o.fp32_nodes = {int8.nodes[0].name};  // x's producer makes f32: x quantizes on its way in
  moved.clear();
  pool_before_pointwise(make_int8(se_graph().graph, grid_input(in, o.input_scale, -100, 100, 5), o), &moved);
  EXPECT_TRUE(moved.empty());
}

TEST(OneDnnSeBlocks, GatedSkipBecomesOneMulOnlyWhereXHasNoOtherReader) {
  std::vector<std::string> rewritten;
  // As given, x is also read by the pool: three readers.
  fold_residual_gates(se_graph().graph, &rewritten);
  EXPECT_TRUE(rewritten.empty());
  const Graph pooled = pool_before_pointwise(se_graph().graph);
  const Graph g = fold_residual_gates(pooled, &rewritten);
  ASSERT_EQ(rewritten.size(), 1u);
  EXPECT_EQ(g.nodes.size(), pooled.nodes.size());  // Add out, Affine in
  const Node* mul = g.producer(se_graph().s);
  ASSERT_NE(mul, nullptr);
  EXPECT_EQ(mul->op, OpKind::Mul);
  const Node* plus_one = g.producer(mul->inputs[1]);
  ASSERT_NE(plus_one, nullptr);
  EXPECT_EQ(plus_one->op, OpKind::Affine);
  const Tensor x = grid_input({1, 8, 20, 28}, 0.05f, -20, 20, 3);
  const std::vector<Tensor> a = make_reference_executor(se_graph().graph, {})->run(x);
  const std::vector<Tensor> b = make_reference_executor(g, {})->run(x);
  EXPECT_LE(max_difference(a, b), 1e-5f * max_magnitude(a));
}

TEST(OneDnnSeBlocks, Fp32BlockRunsInsideTheConvAndMatchesTheReference) {
  const Shape in{1, 8, 20, 28};
  const Graph g = se_graph().graph;
  const Tensor x = grid_input(in, 0.05f, -20, 20, 7);
  auto fast = make_onednn_executor(g, two_threads());
  const std::vector<Tensor> y = expect_matches_reference(g, x, "SE block after a 1x1, FP32", fast.get());
  const OneDnnStats s = onednn_stats(*fast);
  EXPECT_EQ(s.pools_before_pointwise, 1);
  // Into x's conv: the Mul and t's Add; into the gate conv: its HardSigmoid.
  EXPECT_EQ(s.fused_epilogue_nodes, 3);
  EXPECT_EQ(impl_of(*fast, mul_name(g)), "post-op of " + g.producer(se_graph().x)->name);
  auto plain = make_onednn_executor(g, two_threads(), without_se_rewrites());
  EXPECT_LE(max_difference(y, plain->run(x)), 1e-5f * max_magnitude(y));
  EXPECT_EQ(onednn_stats(*plain).fused_epilogue_nodes, 3);  // HardSigmoid, x * g + x + y as one binary
}

TEST(OneDnnSeBlocks, Int8BlockRunsInsideTheConvAndWritesTheReadersIntegers) {
  const Shape in{1, 8, 20, 28};
  Int8Options o;
  const Graph g = make_int8(se_graph().graph, grid_input(in, o.input_scale, -100, 100, 5), o);
  const Tensor x = grid_input(in, o.input_scale, -100, 100, 6);
  auto fast = make_onednn_executor(g, two_threads());
  auto plain = make_onednn_executor(g, two_threads(), without_se_rewrites());
  const std::vector<Tensor> y = fast->run(x), y0 = plain->run(x);
  const OneDnnStats s = onednn_stats(*fast), s0 = onednn_stats(*plain);
  EXPECT_EQ(s.fused_epilogue_nodes, 3);
  EXPECT_EQ(impl_of(*fast, mul_name(g)), "post-op of " + g.producer(se_graph().x)->name);
  // One more reorder at most: the moved pool dequantizes x's narrow input;
  // without AVX-512 one more, oneDNN's avx2 1x1 takes the pooled [1, C, 1, 1] in nChw8c.
  EXPECT_LE(s.layout_reorders, s0.layout_reorders + (avx512_vnni_cpu() ? 1 : 2));
  // Same real arithmetic: a different f32 rounding may move a quantized value
  // of t by one step (~0.2 % of an output here; bit-identical as it is), a
  // wrong gate moves them by percents (4 % with the moved pool's 1x1 weights
  // left unscaled).
  EXPECT_LE(max_difference(y, y0), 0.005f * max_magnitude(y0));
  const std::vector<Tensor> ref = make_reference_executor(g, two_threads())->run(x);
  EXPECT_LE(max_difference(y, ref), 0.005f * max_magnitude(ref));
}

}  // namespace
}  // namespace textq::test
