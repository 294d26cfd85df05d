#include <gtest/gtest.h>

#include "ir/graph.h"
#include "textq/error.h"

namespace textq {
namespace {

Node conv_node(const std::string& name, int in, int out, int64_t oc, int64_t ic, int k, int stride, int pad) {
  Node n;
  n.name = name;
  n.op = OpKind::Conv;
  n.inputs = {in};
  n.output = out;
  n.window.kernel_h = n.window.kernel_w = k;
  n.window.stride_h = n.window.stride_w = stride;
  n.window.pad_top = n.window.pad_left = n.window.pad_bottom = n.window.pad_right = pad;
  n.weight = Tensor(DType::f32, {oc, ic, k, k});
  n.bias = Tensor(DType::f32, {oc});
  return n;
}

TEST(Graph, InferShapesAndMacs) {
  Graph g;
  g.input = g.add_value("input");
  const int a = g.add_value("a");
  const int b = g.add_value("b");
  const int c = g.add_value("c");
  g.nodes.push_back(conv_node("conv_s2", g.input, a, 8, 3, 3, 2, 1));
  Node up;
  up.name = "up";
  up.op = OpKind::ConvTranspose;
  up.inputs = {a};
  up.output = b;
  up.window = {4, 4, 2, 2, 1, 1, 1, 1};
  up.weight = Tensor(DType::f32, {8, 5, 4, 4});
  g.nodes.push_back(up);
  Node cat;
  cat.name = "cat";
  cat.op = OpKind::Concat;
  cat.inputs = {b, g.input};
  cat.output = c;
  g.nodes.push_back(cat);
  g.outputs = {c};
  g.verify();

  const auto shapes = g.infer_shapes({1, 3, 10, 14});
  EXPECT_EQ(shapes[a], (Shape{1, 8, 5, 7}));
  EXPECT_EQ(shapes[b], (Shape{1, 5, 10, 14}));
  EXPECT_EQ(shapes[c], (Shape{1, 8, 10, 14}));
  // conv: 8*5*7 outputs x 27 MACs; deconv: 8*5*7 inputs x 5*16 MACs.
  EXPECT_EQ(g.count_macs({1, 3, 10, 14}), 8 * 5 * 7 * 27 + 8 * 5 * 7 * 80);

  // An odd input makes the concat sides disagree: a clear error, not a crash.
  try {
    g.infer_shapes({1, 3, 11, 14});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("node `cat`"), std::string::npos) << e.what();
  }
}

TEST(Graph, VerifyRejectsBrokenGraphs) {
  Graph g;
  g.input = g.add_value("input");
  const int a = g.add_value("a");
  g.nodes.push_back(conv_node("c1", g.input, a, 4, 3, 3, 1, 1));
  g.outputs = {a};
  g.verify();

  Graph use_before_def = g;
  use_before_def.nodes[0].inputs = {a};
  EXPECT_THROW(use_before_def.verify(), Error);

  Graph bad_kernel = g;
  bad_kernel.nodes[0].window.kernel_h = 5;
  try {
    bad_kernel.verify();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not match kernel 5x3"), std::string::npos) << e.what();
  }

  Graph bad_bias = g;
  bad_bias.nodes[0].bias = Tensor(DType::f32, {5});
  EXPECT_THROW(bad_bias.verify(), Error);

  Graph bad_stride = g;
  bad_stride.nodes[0].window.stride_w = 0;
  EXPECT_THROW(bad_stride.verify(), Error);

  Graph no_output = g;
  no_output.outputs = {7};
  EXPECT_THROW(no_output.verify(), Error);

  Graph twice = g;
  twice.nodes.push_back(conv_node("c2", a, a, 4, 4, 1, 1, 0));
  EXPECT_THROW(twice.verify(), Error);
}

TEST(Tensor, ShapeOverflowIsAnError) {
  EXPECT_THROW(shape_numel({1LL << 40, 1LL << 40}), Error);
  EXPECT_THROW(shape_numel({-1, 3}), Error);
  EXPECT_EQ(shape_numel({}), 1);
  EXPECT_EQ(shape_numel({2, 0, 5}), 0);
  Tensor t(DType::f32, {2, 3});
  EXPECT_EQ(t.nbytes(), 24u);
  EXPECT_THROW(t.data<int8_t>(), Error);
  EXPECT_EQ(t.reshaped({3, 2}).raw(), t.raw());
  EXPECT_NE(t.clone().raw(), t.raw());
}

}  // namespace
}  // namespace textq
