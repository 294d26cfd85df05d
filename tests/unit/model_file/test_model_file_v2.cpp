// Format version 2 (the ONNX-import ops): every new op and its attributes
// round-trip exactly, the writer stamps version 2 only when a graph needs it,
// and a version-1 file naming a version-2 op is refused.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/graph_nodes.h"
#include "formats/model.h"
#include "textq/error.h"

namespace textq {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("textq_v2_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::vector<char> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

Tensor vec(std::vector<float> v) {
  Tensor t(DType::f32, {static_cast<int64_t>(v.size())});
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

// input -> every v2 op in a chain (Mul reads the chain and a GlobalAveragePool gate).
Model v2_model() {
  Model m;
  Graph& g = m.graph;
  g.input = g.add_value("x");
  int v = g.input;
  auto add = [&](Node n) {
    n.output = g.add_value(n.name);
    v = n.output;
    g.nodes.push_back(n);
    return v;
  };
  Node n = test::make_node("sig", OpKind::Sigmoid, {v}, -1);
  add(n);
  n = test::make_node("hsig", OpKind::HardSigmoid, {v}, -1);
  n.attrs.alpha = 0.2f, n.attrs.beta = 0.5f;
  add(n);
  add(test::make_node("hswish", OpKind::HardSwish, {v}, -1));
  n = test::make_node("clip", OpKind::Clip, {v}, -1);
  n.attrs.alpha = -1.25f, n.attrs.beta = 6.f;
  add(n);
  n = test::make_node("aff", OpKind::Affine, {v}, -1);
  n.weight = vec({1.5f, -2.f, 0.25f}), n.bias = vec({0.f, 1.f, -3.f});
  add(n);
  const int before_gap = v;
  add(test::make_node("gap", OpKind::GlobalAveragePool, {v}, -1));
  add(test::make_node("mul", OpKind::Mul, {before_gap, v}, -1));
  n = test::make_node("avg", OpKind::AveragePool, {v}, -1);
  n.window = Window2d::square(3, 1, 1), n.attrs.count_include_pad = true;
  add(n);
  n = test::make_node("resize", OpKind::Resize, {v}, -1);
  n.attrs.resize_mode = ResizeMode::Linear, n.attrs.coord_mode = CoordMode::AlignCorners;
  n.attrs.nearest_round = NearestRound::Ceil, n.attrs.scale_h = 1.5f, n.attrs.scale_w = 0.5f;
  add(n);
  n = test::make_node("pad", OpKind::Pad, {v}, -1);
  n.window.pad_top = 1, n.window.pad_right = 2, n.attrs.alpha = -0.5f;
  add(n);
  g.outputs = {v};
  return m;
}

TEST(ModelFileV2, EveryNewOpRoundTripsWithItsAttributes) {
  const Model m = v2_model();
  const std::string path = temp_path("v2.tqm");
  save_model(m, path);
  const std::vector<char> bytes = bytes_of(path);
  ASSERT_GT(bytes.size(), 12u);
  EXPECT_EQ(bytes[8], 2) << "a graph with version-2 ops is stamped version 2";
  const Model back = load_model(path);
  ASSERT_EQ(back.graph.nodes.size(), m.graph.nodes.size());
  for (size_t i = 0; i < m.graph.nodes.size(); ++i) {
    const Node &a = m.graph.nodes[i], &b = back.graph.nodes[i];
    EXPECT_EQ(a.op, b.op);
    EXPECT_EQ(a.inputs, b.inputs);
    EXPECT_EQ(a.attrs.alpha, b.attrs.alpha) << a.name;
    EXPECT_EQ(a.attrs.beta, b.attrs.beta) << a.name;
    EXPECT_EQ(a.attrs.count_include_pad, b.attrs.count_include_pad) << a.name;
    EXPECT_EQ(a.attrs.resize_mode, b.attrs.resize_mode) << a.name;
    EXPECT_EQ(a.attrs.coord_mode, b.attrs.coord_mode) << a.name;
    EXPECT_EQ(a.attrs.nearest_round, b.attrs.nearest_round) << a.name;
    EXPECT_EQ(a.attrs.scale_h, b.attrs.scale_h) << a.name;
    EXPECT_EQ(a.attrs.scale_w, b.attrs.scale_w) << a.name;
    EXPECT_EQ(a.window.pad_top, b.window.pad_top) << a.name;
    EXPECT_EQ(a.window.pad_right, b.window.pad_right) << a.name;
    EXPECT_EQ(a.weight.numel(), b.weight.numel()) << a.name;
  }
  const std::string again = temp_path("v2b.tqm");
  save_model(back, again);
  EXPECT_EQ(bytes_of(again), bytes);
  std::remove(again.c_str());
  std::remove(path.c_str());
}

TEST(ModelFileV2, TextSnakeOpsStayVersionOneAndV1FilesNamingNewOpsAreRefused) {
  Model m;
  Graph& g = m.graph;
  g.input = g.add_value("x");
  g.nodes.push_back(test::relu_node("r", g.input, g.add_value("r")));
  g.outputs = {1};
  const std::string path = temp_path("v1.tqm");
  save_model(m, path);
  std::vector<char> bytes = bytes_of(path);
  EXPECT_EQ(bytes[8], 1) << "version-1 graphs keep loading in older readers";
  // Same file, op renamed to a version-2 op of the same length ("Relu" -> "Clip"): refused by the version rule.
  const std::string text(bytes.begin(), bytes.end());
  const size_t at = text.find("\"Relu\"");
  ASSERT_NE(at, std::string::npos);
  std::copy_n("\"Clip\"", 6, bytes.begin() + static_cast<std::ptrdiff_t>(at));
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  try {
    load_model(path);
    ADD_FAILURE() << "a version-1 file with a Clip node loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs format version 2"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace textq
