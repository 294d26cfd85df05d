// The reference executor runs nodes in order, feeds the observer after each
// node, keeps values alive until their last consumer, and names the node in errors.
#include <gtest/gtest.h>

#include <random>

#include "backends/reference/reference_executor.h"
#include "ops/ops_ref.h"
#include "textq/error.h"

namespace textq {
namespace {

Tensor random_tensor(const Shape& shape, uint32_t seed) {
  Tensor t(DType::f32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

// input -> a: conv3x3 relu -> b: maxpool -> c: conv1x1 + residual(b) relu
//       -> d: deconv k4s2p1 -> e: concat(d, a) -> f: add(e, e) -> g: relu(f)
Graph small_graph() {
  Graph g;
  g.input = g.add_value("input");
  auto add = [&](Node n) {
    n.output = g.add_value(n.name);
    g.nodes.push_back(n);
    return n.output;
  };
  Node a; a.name = "a"; a.op = OpKind::Conv; a.inputs = {g.input}; a.window = Window2d::square(3, 1, 1);
  a.weight = random_tensor({6, 3, 3, 3}, 1); a.bias = random_tensor({6}, 2); a.activation = Activation::Relu;
  const int va = add(a);
  Node b; b.name = "b"; b.op = OpKind::MaxPool; b.inputs = {va}; b.window = Window2d::square(3, 2, 1);
  const int vb = add(b);
  Node c; c.name = "c"; c.op = OpKind::Conv; c.inputs = {vb, vb}; c.window = Window2d::square(1, 1, 0);
  c.weight = random_tensor({6, 6, 1, 1}, 3); c.activation = Activation::Relu;
  const int vc = add(c);
  Node d; d.name = "d"; d.op = OpKind::ConvTranspose; d.inputs = {vc}; d.window = Window2d::square(4, 2, 1);
  d.weight = random_tensor({6, 5, 4, 4}, 4); d.bias = random_tensor({5}, 5);
  const int vd = add(d);
  Node e; e.name = "e"; e.op = OpKind::Concat; e.inputs = {vd, va};
  const int ve = add(e);
  Node f; f.name = "f"; f.op = OpKind::Add; f.inputs = {ve, ve};
  const int vf = add(f);
  Node r; r.name = "g"; r.op = OpKind::Relu; r.inputs = {vf};
  g.outputs = {add(r)};
  return g;
}

TEST(ReferenceExecutor, RunsNodesInOrderWithObserver) {
  const Graph g = small_graph();
  const Tensor x = random_tensor({2, 3, 8, 10}, 9);
  // Expected result from the kernels called by hand.
  const Node& a = g.nodes[0]; const Node& c = g.nodes[2]; const Node& d = g.nodes[3];
  const Tensor ya = conv2d_ref(x, a.weight, a.bias, a.window, nullptr, Activation::Relu);
  const Tensor yb = max_pool2d_ref(ya, g.nodes[1].window);
  const Tensor yc = conv2d_ref(yb, c.weight, c.bias, c.window, &yb, Activation::Relu);
  const Tensor yd = conv_transpose2d_ref(yc, d.weight, d.bias, d.window, nullptr, Activation::None);
  const Tensor ye = concat_ref({&yd, &ya});
  const Tensor want = relu_ref(add_ref(ye, ye, Activation::None));

  auto exec = make_reference_executor(g, ExecOptions{});
  std::vector<std::string> seen;
  NodeObserver obs = [&](const Node& n, const Tensor& out) {
    seen.push_back(n.name);
    EXPECT_EQ(out.dtype(), DType::f32);
  };
  for (int rep = 0; rep < 2; ++rep) {  // a second run must not see stale freed values
    seen.clear();
    const std::vector<Tensor> outs = exec->run(x, &obs);
    ASSERT_EQ(outs.size(), 1u);
    ASSERT_EQ(shape_str(outs[0].shape()), "[2, 11, 8, 10]");
    for (int64_t i = 0; i < want.numel(); ++i) ASSERT_EQ(outs[0].data<float>()[i], want.data<float>()[i]);
    EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g"}));
  }
  EXPECT_EQ(exec->profile().size(), 7u);
  EXPECT_EQ(exec->profile()[0].impl, "reference");
}

TEST(ReferenceExecutor, ErrorNamesTheNode) {
  const Graph g = small_graph();
  auto exec = make_reference_executor(g, ExecOptions{});
  try {
    exec->run(random_tensor({1, 4, 8, 10}, 1));  // 4 channels, conv "a" wants 3
    FAIL() << "wrong channel count accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node a"), std::string::npos) << e.what();
  }
}

TEST(ReferenceExecutor, RefusesQuantizedNodes) {
  Graph g = small_graph();
  g.nodes[0].quant.enabled = true;
  EXPECT_THROW(make_reference_executor(g, ExecOptions{}), Error);
}

}  // namespace
}  // namespace textq
