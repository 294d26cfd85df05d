// fold_pointwise_convs: which pairs fold, and that the folded graph computes
// the same outputs as the original (reference backend; the fold is exact in
// real arithmetic, so only f32 rounding differs), for a Conv and a strided
// ConvTranspose producer, with and without biases, ReLU moving to the fused node.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "common/graph_nodes.h"
#include "ir/fold_pointwise.h"
#include "runtime/executor.h"

namespace textq {
namespace {

Tensor random_tensor(const Shape& s, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  Tensor t(DType::f32, s);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// Max |a - b| relative to max |a|.
float rel_diff(const Tensor& a, const Tensor& b) {
  float diff = 0.f, mag = 0.f;
  for (int64_t i = 0; i < a.numel(); ++i) {
    diff = std::max(diff, std::fabs(a.data<float>()[i] - b.data<float>()[i]));
    mag = std::max(mag, std::fabs(a.data<float>()[i]));
  }
  return diff / mag;
}

// input -a(3x3, no act)-> v1 -b(1x1, relu)-> v2 -c(3x3 relu)-> v3 -d(deconv k4 s2, no act)-> v4 -head(1x1)-> v5
//                                            v2 -e(1x1 8->12: more channels, not folded)-> v6
Graph chain_graph(bool biases) {
  Graph g;
  for (const char* v : {"input", "v1", "v2", "v3", "v4", "v5", "v6"}) g.add_value(v);
  auto bias = [&](int64_t n, uint32_t seed) { return biases ? random_tensor({n}, seed, -0.3f, 0.3f) : Tensor(); };
  const Tensor wa = random_tensor({8, 3, 3, 3}, 1), wb = random_tensor({6, 8, 1, 1}, 2), wc = random_tensor({8, 6, 3, 3}, 3);
  const Tensor wd = random_tensor({8, 7, 4, 4}, 4), wh = random_tensor({5, 7, 1, 1}, 5), we = random_tensor({12, 6, 1, 1}, 6);
  g.nodes.push_back(test::conv_node("a", {0}, 1, wa, bias(8, 11), 3, 1, 1));
  g.nodes.push_back(test::conv_node("b", {1}, 2, wb, bias(6, 12), 1, 1, 0, Activation::Relu));
  g.nodes.push_back(test::conv_node("c", {2}, 3, wc, bias(8, 13), 3, 1, 1, Activation::Relu));
  g.nodes.push_back(test::conv_transpose_node("d", {3}, 4, wd, bias(7, 14), 4, 2, 1));
  g.nodes.push_back(test::conv_node("x_head.out_conv", {4}, 5, wh, bias(5, 15), 1, 1, 0));
  g.nodes.push_back(test::conv_node("e", {2}, 6, we, bias(12, 16), 1, 1, 0));
  g.outputs = {5, 6};
  g.verify();
  return g;
}

TEST(FoldPointwise, FoldsLinearProducersAndKeepsTheOutputs) {
  for (bool biases : {true, false}) {
    const Graph g = chain_graph(biases);
    std::vector<FoldedPair> pairs;
    const Graph f = fold_pointwise_convs(g, &pairs);
    ASSERT_EQ(pairs.size(), 2u);
    EXPECT_EQ(pairs[0].producer, "a");
    EXPECT_EQ(pairs[0].pointwise, "b");
    EXPECT_EQ(pairs[1].producer, "d");
    EXPECT_EQ(pairs[1].pointwise, "x_head.out_conv");
    ASSERT_EQ(f.nodes.size(), 4u);
    EXPECT_EQ(f.nodes[0].name, "a");
    EXPECT_EQ(f.nodes[0].activation, Activation::Relu) << "b's ReLU moves to the fused node";
    EXPECT_EQ(f.nodes[0].weight.shape(), (Shape{6, 3, 3, 3}));
    EXPECT_EQ(f.nodes[2].op, OpKind::ConvTranspose);
    EXPECT_EQ(f.nodes[2].weight.shape(), (Shape{8, 5, 4, 4})) << "PyTorch deconv layout [IC, OC, KH, KW]";
    EXPECT_EQ(f.nodes[3].name, "e") << "a 1x1 conv with more output channels than its input is left alone";
    EXPECT_EQ(f.nodes[0].bias.empty(), !biases);
    EXPECT_EQ(f.num_values(), 5);
    EXPECT_EQ(f.value_names, (std::vector<std::string>{"input", "v2", "v3", "v5", "v6"}));

    const Tensor x = random_tensor({1, 3, 9, 11}, 99, -2.f, 2.f);
    auto e0 = make_executor(g, BackendKind::Reference, {});
    auto e1 = make_executor(f, BackendKind::Reference, {});
    const std::vector<Tensor> y0 = e0->run(x), y1 = e1->run(x);
    ASSERT_EQ(y0.size(), 2u);
    ASSERT_EQ(y1.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
      ASSERT_EQ(y0[i].shape(), y1[i].shape());
      EXPECT_LT(rel_diff(y0[i], y1[i]), 2e-6f) << "output " << i << (biases ? " with" : " without") << " biases";
    }
  }
}

TEST(FoldPointwise, LeavesPairsThatAreNotLinearOrNotAlone) {
  Graph g;
  for (const char* v : {"input", "v1", "v2", "v3", "v4", "v5"}) g.add_value(v);
  const Tensor wa = random_tensor({8, 3, 3, 3}, 1), wb = random_tensor({4, 8, 1, 1}, 2);
  const Tensor wc = random_tensor({4, 8, 1, 1}, 3), wd = random_tensor({4, 4, 3, 3}, 4), we = random_tensor({4, 4, 1, 1}, 5);
  g.nodes.push_back(test::conv_node("a", {0}, 1, wa, Tensor(), 3, 1, 1, Activation::Relu));  // ReLU between: no
  g.nodes.push_back(test::conv_node("b", {1}, 2, wb, Tensor(), 1, 1, 0));
  g.nodes.push_back(test::conv_node("c", {1}, 3, wc, Tensor(), 1, 1, 0));
  g.nodes.push_back(test::conv_node("d", {2}, 4, wd, Tensor(), 3, 1, 1));  // v4 has two readers: no
  g.nodes.push_back(test::conv_node("e", {4, 4}, 5, we, Tensor(), 1, 1, 0));  // src and residual
  g.outputs = {3, 5};
  g.verify();
  std::vector<FoldedPair> pairs;
  const Graph f = fold_pointwise_convs(g, &pairs);
  EXPECT_TRUE(pairs.empty());
  EXPECT_EQ(f.nodes.size(), g.nodes.size());
}

}  // namespace
}  // namespace textq
