// INT8 convs with 8 or 24 output channels on our ymm kernel
// (OneDnnTuning::int8_narrow_kernel, conv_int8_narrow.h) must give oneDNN's
// integers and floats bit for bit: u8 and s8 sources (the s8 +128 shift and
// its compensation), f32 / u8 / s8 destinations with and without ReLU, 1x1,
// 3x3 and 5x5 windows with their padding, widths that are not a multiple of
// the 8-pixel block, two images.
#include <sstream>

#include "backends/onednn/conv_int8_narrow.h"
#include "int8_graph.h"

namespace textq::test {
namespace {

struct Case {
  int ic, oc, k, pad;
  bool src_relu;   // the producer's ReLU makes the source u8, else s8
  bool relu;       // the narrow conv's own
  DType dst;       // forced dst type
  int n, h, w;
};

TEST(OneDnnInt8Narrow, MatchesOneDnnBitForBit) {
  if (!onednn::conv_int8_narrow_supported()) GTEST_SKIP() << "no AVX-512 VNNI";
  const std::vector<Case> cases = {
      {96, 24, 3, 1, false, false, DType::f32, 1, 23, 40},  // PP-OCRv4's neck 3x3 (s8 in, f32 out)
      {96, 24, 3, 1, false, true, DType::u8, 1, 17, 29},    // its head conv (ReLU, u8 out)
      {16, 24, 3, 1, true, false, DType::i8, 2, 9, 13},
      {32, 8, 1, 0, true, true, DType::u8, 1, 7, 11},
      {12, 8, 5, 2, false, false, DType::i8, 1, 10, 19},
      {20, 24, 3, 0, true, false, DType::f32, 1, 12, 21},   // no padding: a smaller output
  };
  for (const Case& c : cases) {
    std::ostringstream what;
    what << "ic" << c.ic << " oc" << c.oc << " k" << c.k << " p" << c.pad << (c.src_relu ? " u8" : " s8") << " -> "
         << dtype_name(c.dst) << (c.relu ? " relu" : "") << " n" << c.n << " " << c.h << "x" << c.w;
    GraphMaker m(51);
    const int a = m.conv(m.input(), 3, c.ic, 3, 1, 1, c.src_relu);
    const int b = m.conv(a, c.ic, c.oc, c.k, 1, c.pad, c.relu);
    const int y = m.conv(b, c.oc, 5, 1, 1, 0, false);  // an INT8 reader: b may be written as integers
    const Graph fp32 = m.graph({y});
    Int8Options o;
    o.dst_types[fp32.nodes[1].name] = c.dst;
    const Tensor x = grid_input({c.n, 3, c.h, c.w}, o.input_scale, -100, 100, 4);
    Graph g = make_int8(fp32, x, o);
    if (c.dst == DType::f32) g.nodes[2].quant.src_type = DType::i8;  // it quantizes b itself
    auto mine = make_onednn_executor(g, two_threads());
    OneDnnTuning off;
    off.int8_narrow_kernel = false;
    auto theirs = make_onednn_executor(g, two_threads(), off);
    const std::vector<Tensor> got = mine->run(x), want = theirs->run(x);
    EXPECT_EQ(max_difference(got, want), 0.f) << what.str();
    EXPECT_EQ(impl_of(*mine, g.nodes[1].name), "conv_int8_narrow:avx512_vnni_ymm") << what.str();
    EXPECT_EQ(impl_of(*theirs, g.nodes[1].name).find("narrow"), std::string::npos) << what.str();
    // And b itself, seen by an observer (dequantized), the same on both.
    Tensor bm, bt;
    const std::string bn = g.nodes[1].name;
    NodeObserver om = [&](const Node& n, const Tensor& t) { if (n.name == bn) bm = t.clone(); };
    NodeObserver ot = [&](const Node& n, const Tensor& t) { if (n.name == bn) bt = t.clone(); };
    mine->run(x, &om);
    theirs->run(x, &ot);
    EXPECT_EQ(max_difference({bm}, {bt}), 0.f) << what.str() << " (node output)";
  }
}

}  // namespace
}  // namespace textq::test
