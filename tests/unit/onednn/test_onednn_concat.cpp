// Concat in nhwc on our copy kernel (OneDnnTuning::concat_copy_kernel,
// concat_channels.h), and integers carried through nearest Resize and Concat
// to the INT8 conv behind them (plan_builder.h, int8_readers_type): both must
// give exactly what oneDNN's own concat / the f32 path give.
#include "backends/onednn/concat_channels.h"
#include "int8_graph.h"

namespace textq::test {
namespace {

OneDnnTuning oneDNN_concat() {
  OneDnnTuning t;
  t.concat_copy_kernel = false;
  return t;
}

// Parts of 13, 16 and 80 channels: byte rows shorter than, equal to and
// longer than one 64-byte move, with masked tails (u8: 13, 16, 16 bytes
// left; f32: 52, 64 and 0 + 64 x 5).
Graph concat_graph(int seed, int& cat) {
  GraphMaker m(seed);
  const int a = m.conv(m.input(), 3, 16, 3, 2, 1, true);
  const int b = m.conv(a, 16, 13, 1, 1, 0, true);
  const int c = m.conv(a, 16, 80, 3, 1, 1, true);
  cat = m.concat({b, a, c});
  return m.graph({m.conv(cat, 109, 17, 3, 1, 1, true)});
}

TEST(OneDnnConcat, CopyKernelGivesOneDnnsConcatBitForBit) {
  if (!onednn::concat_channels_supported()) GTEST_SKIP() << "our channel copy needs AVX-512 BW";
  for (bool int8 : {false, true}) {
    int cat = -1;
    Graph g = concat_graph(41, cat);
    Int8Options o;
    const Tensor x = grid_input({1, 3, 27, 33}, o.input_scale, -128, 127, 3);
    if (int8) g = make_int8(g, x, o);
    auto mine = make_onednn_executor(g, two_threads());
    auto theirs = make_onednn_executor(g, two_threads(), oneDNN_concat());
    const std::vector<Tensor> y = int8 ? mine->run(x) : expect_matches_reference(g, x, "concat 13+16+80", mine.get());
    EXPECT_EQ(max_difference(y, theirs->run(x)), 0.f) << (int8 ? "INT8" : "FP32");
    const std::string name = g.producer(cat)->name;
    EXPECT_NE(impl_of(*mine, name).find("copy_channels"), std::string::npos) << impl_of(*mine, name);
    EXPECT_EQ(impl_of(*theirs, name).find("copy_channels"), std::string::npos) << impl_of(*theirs, name);
  }
}

// PP-OCRv4's head input: SE-tail sums of three levels, each upsampled
// (nearest) to the top level, concatenated with the top level's own sum and
// read by an INT8 3x3 conv. Fused, each sum writes the conv's integers, the
// Resizes copy them, the Concat only moves them: no f32 map, no reorder.
TEST(OneDnnConcat, IntegersPassThroughNearestResizeAndConcat) {
  const int c = 8;
  GraphMaker m(43);
  const int top = m.conv(m.input(), 4, c, 3, 1, 1, false);
  std::vector<int> parts;
  int level = top;
  OpAttrs up;
  up.resize_mode = ResizeMode::Nearest, up.coord_mode = CoordMode::Asymmetric, up.nearest_round = NearestRound::Floor;
  for (int k = 0; k < 3; ++k) {
    level = m.conv(level, c, c, 3, 2, 1, false);  // the next level down
    const int sum = m.add(level, m.conv(level, c, c, 1, 1, 0, false), false);
    up.scale_h = up.scale_w = static_cast<float>(2 << k);
    parts.push_back(add_op(m, OpKind::Resize, sum, -1, up));
  }
  parts.push_back(m.add(top, m.conv(top, c, c, 1, 1, 0, false), false));
  const int cat = m.concat(parts);
  const Graph fp32 = m.graph({m.conv(cat, 4 * c, 5, 3, 1, 1, false)});
  Int8Options o;
  const Tensor x = grid_input({1, 4, 32, 48}, o.input_scale, -100, 100, 9);
  const Graph g = make_int8(fp32, x, o);
  auto fused = make_onednn_executor(g, two_threads());
  OneDnnTuning off;
  off.fuse_epilogues = false;
  auto plain = make_onednn_executor(g, two_threads(), off);
  const std::vector<Tensor> y = fused->run(x), y0 = plain->run(x);
  // The readers' own quantization, moved before the Resize: same integers.
  EXPECT_EQ(max_difference(y, y0), 0.f);
  // Fused: every part already in the conv's integers, only copied; node by
  // node: f32 parts, each quantized by a reorder into its slice.
  if (onednn::concat_channels_supported()) {
    EXPECT_EQ(impl_of(*fused, g.producer(cat)->name), "copy_channels:avx512");
  }
  EXPECT_EQ(impl_of(*plain, g.producer(cat)->name).rfind("slices:", 0), 0u) << impl_of(*plain, g.producer(cat)->name);
  const std::vector<Tensor> ref = make_reference_executor(g, two_threads())->run(x);
  float mag = 0.f;
  for (int64_t i = 0; i < ref[0].numel(); ++i) mag = std::max(mag, std::fabs(ref[0].data<float>()[i]));
  EXPECT_LE(max_difference(y, ref), 0.01f * mag);
}

}  // namespace
}  // namespace textq::test
