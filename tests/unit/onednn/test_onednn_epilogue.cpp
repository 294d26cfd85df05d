// Elementwise chains run as post-ops of the node before them (OneDnnTuning::
// fuse_epilogues, backends/onednn/epilogue.h): unary chains after a conv,
// Adds after an Add / Mul. The fused run must give exactly what the
// node-by-node run gives, FP32 and INT8, and fuse only what it may (single
// readers, no graph outputs inside, no residual, operands that exist).
#include <sstream>

#include "backends/onednn/epilogue.h"
#include "int8_graph.h"

namespace textq::test {
namespace {

Tensor values(int c, float base, float step) {
  Tensor t(DType::f32, {c});
  for (int i = 0; i < c; ++i) t.data<float>()[i] = base + step * static_cast<float>(i);
  return t;
}

enum class Link { HardSwish, AffineScalar, AffineChannel, HardSigmoid, Sigmoid, Clip };

int add_link(GraphMaker& m, Link link, int x, int c) {
  OpAttrs a;
  switch (link) {
    case Link::HardSwish: return add_op(m, OpKind::HardSwish, x);
    case Link::AffineScalar: return add_op(m, OpKind::Affine, x, -1, a, Window2d(), values(1, 1.3f, 0.f), values(1, -0.4f, 0.f));
    case Link::AffineChannel: return add_op(m, OpKind::Affine, x, -1, a, Window2d(), values(c, 0.6f, 0.05f), values(c, -0.5f, 0.03f));
    case Link::HardSigmoid: a.alpha = 0.2f, a.beta = 0.5f; return add_op(m, OpKind::HardSigmoid, x, -1, a);
    case Link::Sigmoid: return add_op(m, OpKind::Sigmoid, x);
    case Link::Clip: a.alpha = -1.f, a.beta = 2.f; return add_op(m, OpKind::Clip, x, -1, a);
  }
  return -1;
}

struct Chain {
  std::vector<Link> links;
  size_t fused;  // how many of them run as post-ops
};
const std::vector<Chain> kChains = {
    {{Link::HardSwish}, 1},
    {{Link::HardSwish, Link::AffineChannel}, 2},
    {{Link::HardSwish, Link::AffineScalar}, 2},  // PP-LCNetV3's scalar affine block
    {{Link::HardSigmoid}, 1},
    {{Link::Sigmoid, Link::AffineChannel}, 2},
    {{Link::Clip, Link::AffineScalar}, 2},
    // At most one eltwise_linear per conv (oneDNN 2.6 gets two wrong): the
    // chain stops before the second.
    {{Link::HardSigmoid, Link::AffineScalar}, 1},
    {{Link::AffineScalar, Link::HardSwish, Link::AffineScalar}, 2},
};

// conv(k, groups) -> chain -> two readers: a 1x1 conv and a padded depthwise 3x3.
struct ChainGraph {
  Graph graph;
  Shape input;
};
ChainGraph chain_graph(const std::vector<Link>& chain, int c, int k, bool depthwise, int side) {
  GraphMaker m(5);
  const int x = m.conv(m.input(), 8, c, 3, 1, 1, false);
  int v = m.conv(x, c, c, k, 1, k / 2, false, -1, depthwise ? c : 1);
  for (Link l : chain) v = add_link(m, l, v, c);
  const int a = m.conv(v, c, 16, 1, 1, 0, false);
  const int b = m.conv(v, c, c, 3, 1, 1, false, -1, c);
  return {m.graph({a, b}), {1, 8, side, side}};
}

OneDnnTuning unfused() {
  OneDnnTuning t;
  t.fuse_epilogues = false;
  return t;
}

TEST(OneDnnEpilogue, Fp32ChainsRunAsPostOpsExactlyLikeTheNodes) {
  for (size_t ci = 0; ci < kChains.size(); ++ci)
    for (bool depthwise : {false, true})
      for (int c : {24, 48}) {
        const Chain& chain = kChains[ci];
        std::ostringstream what;
        what << "chain " << ci << ", c " << c << (depthwise ? " depthwise 3x3" : " 1x1");
        const ChainGraph cg = chain_graph(chain.links, c, depthwise ? 3 : 1, depthwise, 21);
        GraphMaker inputs(9);
        const Tensor x = inputs.random_input(cg.input);
        auto fused = make_onednn_executor(cg.graph, two_threads());
        const std::vector<Tensor> y = expect_matches_reference(cg.graph, x, what.str(), fused.get());
        EXPECT_EQ(onednn_stats(*fused).fused_epilogue_nodes, static_cast<int>(chain.fused)) << what.str();
        const std::vector<Tensor> y0 = make_onednn_executor(cg.graph, two_threads(), unfused())->run(x);
        EXPECT_EQ(max_difference(y, y0), 0.f) << what.str();
        // An observer still sees every node's own output.
        int seen = 0;
        NodeObserver count = [&](const Node&, const Tensor&) { ++seen; };
        fused->run(x, &count);
        EXPECT_EQ(seen, static_cast<int>(cg.graph.nodes.size())) << what.str();
      }
}

TEST(OneDnnEpilogue, Int8ChainWritesTheReadersIntegersExactlyLikeTheNodes) {
  for (size_t ci = 0; ci < kChains.size(); ++ci)
    for (bool depthwise : {false, true})
      for (bool readers_disagree : {false, true}) {
        const Chain& chain = kChains[ci];
        std::ostringstream what;
        what << "chain " << ci << (depthwise ? ", depthwise 3x3" : ", 1x1") << (readers_disagree ? ", readers' scales differ" : "");
        // 48 channels at 32x32: brgconv_1x1 for the 1x1 (where a linear post-op
        // after a linear one came out wrong in oneDNN 2.6), jit_int8 depthwise.
        const ChainGraph cg = chain_graph(chain.links, 48, depthwise ? 3 : 1, depthwise, 32);
        Int8Options o;
        const Tensor calib = grid_input(cg.input, o.input_scale, -100, 100, 3);
        Graph g = make_int8(cg.graph, calib, o);
        if (readers_disagree) g.nodes.back().quant.src_scale *= 1.5f;
        const Tensor x = grid_input(cg.input, o.input_scale, -100, 100, 4);
        auto fused = make_onednn_executor(g, two_threads());
        auto plain = make_onednn_executor(g, two_threads(), unfused());
        const std::vector<Tensor> y = fused->run(x), y0 = plain->run(x);
        EXPECT_EQ(max_difference(y, y0), 0.f) << what.str();
        const OneDnnStats s = onednn_stats(*fused), s0 = onednn_stats(*plain);
        EXPECT_EQ(s.fused_epilogue_nodes, static_cast<int>(chain.fused)) << what.str();
        // Agreeing INT8 readers take the fused conv's integers as they are:
        // the quantizing reorder before them is gone (when the whole chain fused).
        if (readers_disagree || chain.fused < chain.links.size())
          EXPECT_EQ(s.layout_reorders, s0.layout_reorders) << what.str();
        else
          EXPECT_LT(s.layout_reorders, s0.layout_reorders) << what.str();
      }
}

TEST(OneDnnEpilogue, FusesOnlySingleReaderLinksThatAreNotGraphOutputs) {
  const int c = 16;
  const Shape in{1, 8, 12, 12};
  auto fused_count = [&](const Graph& g) {
    GraphMaker inputs(2);
    const Tensor x = inputs.random_input(in);
    auto e = make_onednn_executor(g, two_threads());
    const std::vector<Tensor> y = expect_matches_reference(g, x, "graph of " + std::to_string(g.nodes.size()), e.get());
    EXPECT_EQ(max_difference(y, make_onednn_executor(g, two_threads(), unfused())->run(x)), 0.f);
    return onednn_stats(*e).fused_epilogue_nodes;
  };
  {  // The conv's output read twice: nothing fuses.
    GraphMaker m(3);
    const int v = m.conv(m.input(), 8, c, 1, 1, 0, false);
    const int h = add_op(m, OpKind::HardSwish, v);
    EXPECT_EQ(fused_count(m.graph({m.add(v, h, false)})), 0);
  }
  {  // The HardSwish's output is a graph output: only links before it could fuse, none here.
    GraphMaker m(3);
    const int v = m.conv(m.input(), 8, c, 1, 1, 0, false);
    const int h = add_op(m, OpKind::HardSwish, v);
    EXPECT_EQ(fused_count(m.graph({h})), 0);
  }
  {  // Chain of two whose result is a graph output: the first link fuses.
    GraphMaker m(3);
    const int v = m.conv(m.input(), 8, c, 1, 1, 0, false);
    const int h = add_op(m, OpKind::HardSwish, v);
    const int s = add_op(m, OpKind::Sigmoid, h);
    EXPECT_EQ(fused_count(m.graph({s})), 1);
  }
  {  // A conv with a residual keeps its chain as nodes.
    GraphMaker m(3);
    const int r = m.conv(m.input(), 8, c, 1, 1, 0, false);
    const int v = m.conv(r, c, c, 3, 1, 1, false, r);
    const int h = add_op(m, OpKind::HardSwish, v);
    EXPECT_EQ(fused_count(m.graph({m.conv(h, c, c, 1, 1, 0, false)})), 0);
  }
}

// A squeeze-excitation tail as PP-OCRv4 has it: m = x * gate, s = x + m,
// then t = s + y (the FPN's lateral sum), read by a 1x1 and a depthwise conv.
// y made before the Mul: both Adds fuse into it; made after: only the first,
// unless the Mul and the first Add are sunk next to the second
// (OneDnnTuning::sink_binary_chains, the default).
Graph se_tail_graph(bool y_first) {
  const int c = 32;
  GraphMaker m(11);
  const int in = m.conv(m.input(), 8, c, 1, 1, 0, false);
  const int y0 = y_first ? m.conv(in, c, c, 1, 1, 0, false) : -1;
  const int x = m.conv(in, c, c, 1, 1, 0, false);
  const int gap = add_op(m, OpKind::GlobalAveragePool, x);
  const int gate = add_op(m, OpKind::HardSigmoid, m.conv(gap, c, c, 1, 1, 0, false));
  const int mul = add_op(m, OpKind::Mul, x, gate);
  const int sum = add_op(m, OpKind::Add, x, mul);
  const int y = y_first ? y0 : m.conv(in, c, c, 1, 1, 0, false);
  const int t = add_op(m, OpKind::Add, sum, y);
  return m.graph({m.conv(t, c, 16, 1, 1, 0, false), m.conv(t, c, c, 3, 1, 1, false, -1, c)});
}

TEST(OneDnnEpilogue, SqueezeExcitationTailRunsAsOneBinaryPrimitive) {
  const Shape in{1, 8, 24, 40};
  for (bool y_first : {true, false})
    for (bool sink : {true, false})
      for (bool int8 : {false, true}) {
        const std::string what = std::string(y_first ? "y made first" : "y made last") +
                                 (sink ? ", sunk" : ", not sunk") + (int8 ? ", INT8" : ", FP32");
        Graph g = se_tail_graph(y_first);
        Int8Options o;
        if (int8) g = make_int8(g, grid_input(in, o.input_scale, -100, 100, 5), o);
        const Tensor x = grid_input(in, o.input_scale, -100, 100, 6);
        OneDnnTuning tuning;
        tuning.sink_binary_chains = sink;
        // The Mul and Adds as a binary chain (test_onednn_se_blocks.cpp runs
        // this block inside x's conv, after the pool moves before it).
        tuning.pool_before_pointwise = false;
        tuning.conv_binary_epilogues = false;
        auto fused = make_onednn_executor(g, two_threads(), tuning);
        auto plain = make_onednn_executor(g, two_threads(), unfused());
        const std::vector<Tensor> y = int8 ? fused->run(x) : expect_matches_reference(g, x, what, fused.get());
        EXPECT_EQ(max_difference(y, plain->run(x)), 0.f) << what;
        const OneDnnStats s = onednn_stats(*fused), s0 = onednn_stats(*plain);
        // The HardSigmoid after the gate conv fuses too.
        EXPECT_EQ(s.fused_epilogue_nodes, 1 + (y_first || sink ? 2 : 1)) << what;
        // INT8: the last Add writes the readers' integers (fused or not), so their reorder is gone.
        if (int8) {
          EXPECT_LT(s.layout_reorders, s0.layout_reorders) << what;
        }
      }
}

std::vector<std::string> node_names(const Graph& g) {
  std::vector<std::string> names;
  for (const Node& n : g.nodes) names.push_back(n.name);
  return names;
}

TEST(OneDnnEpilogue, SinkMovesAddAndMulChainsNextToTheAddThatReadsThem) {
  Graph g = se_tail_graph(false);
  for (size_t i = 0; i < g.nodes.size(); ++i) g.nodes[i].name = "n" + std::to_string(i);
  // n0 in, n1 x, n2 gap, n3 gate conv, n4 hardsigmoid, n5 mul, n6 sum, n7 y, n8 t, n9 / n10 readers.
  ASSERT_EQ(g.nodes.size(), 11u);
  ASSERT_EQ(g.nodes[5].op, OpKind::Mul);
  const Graph sunk = onednn::sink_binary_chains(g);
  sunk.verify();  // still topological
  EXPECT_EQ(node_names(sunk),
            (std::vector<std::string>{"n0", "n1", "n2", "n3", "n4", "n7", "n5", "n6", "n8", "n9", "n10"}));

  // A Mul with a second reader, or an Add with a ReLU, stays where it is.
  Graph two_readers = g;
  two_readers.outputs.push_back(two_readers.nodes[5].output);
  EXPECT_EQ(node_names(onednn::sink_binary_chains(two_readers)),
            (std::vector<std::string>{"n0", "n1", "n2", "n3", "n4", "n5", "n7", "n6", "n8", "n9", "n10"}));
  Graph relu = g;
  relu.nodes[8].activation = Activation::Relu;
  EXPECT_EQ(node_names(onednn::sink_binary_chains(relu)), node_names(g));
}

}  // namespace
}  // namespace textq::test
