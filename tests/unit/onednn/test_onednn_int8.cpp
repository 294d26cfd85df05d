// INT8 graphs on the oneDNN executor vs the reference backend's INT8 kernels
// (docs/quantization.md §2-3): integer outputs exact or off by one step,
// f32 outputs within the doc's tolerance, every INT8 conv on a VNNI kernel
// (oneDNN's avx2 one on CPUs without AVX-512 VNNI),
// activations kept u8/s8 between INT8 nodes.
#include <initializer_list>
#include <iostream>
#include <sstream>

#include "backends/onednn/concat_channels.h"
#include "backends/onednn/deconv_k4s2_int8.h"
#include "int8_graph.h"

namespace textq::test {
namespace {

// Integer nodes: no element more than one step off, and off-by-one only at
// rounding ties (rare); f32 nodes checked by the caller.
void expect_int_nodes_close(const std::vector<NodeDiff>& diffs, const std::string& repro) {
  for (const NodeDiff& d : diffs) {
    if (!d.integer) continue;
    EXPECT_EQ(d.worse, 0) << repro << ": node " << d.name << " has elements more than one step off";
    EXPECT_LE(d.off_by_one * 1000, d.numel) << repro << ": node " << d.name << " is off by one too often";
  }
}

struct Case {
  int ic, oc, ih, iw, k, stride, pad;
  bool relu;
  DType src, dst;
  std::string repro() const {
    std::ostringstream s;
    s << "int8 conv ic" << ic << "oc" << oc << "ih" << ih << "iw" << iw << "k" << k << "s" << stride << "p" << pad
      << (relu ? "_relu" : "") << " src " << dtype_name(src) << " dst " << dtype_name(dst);
    return s.str();
  }
};

const Case kCases[] = {
    {3, 13, 37, 45, 7, 2, 3, true, DType::i8, DType::u8},     // the stem: 7x7 s2 p3 on 3 channels
    {3, 16, 23, 19, 3, 1, 1, false, DType::i8, DType::i8},
    {13, 17, 9, 7, 3, 1, 1, true, DType::u8, DType::u8},      // odd everything
    {17, 32, 11, 13, 1, 2, 0, false, DType::u8, DType::i8},   // caffe-style stride-2 1x1
    {32, 13, 15, 9, 3, 2, 1, false, DType::u8, DType::f32},   // 3x3 s2, f32 dst
    {16, 16, 8, 8, 1, 1, 0, true, DType::i8, DType::f32},
    {64, 64, 10, 13, 3, 1, 1, true, DType::u8, DType::u8},
};

// One conv from the graph input: both backends quantize the (grid-exact)
// input identically, so this is the doc's per-node acceptance.
TEST(OneDnnInt8, SingleConvMatchesReferenceOnAwkwardShapes) {
  for (const Case& c : kCases) {
    GraphMaker m(31);
    const int y = m.conv(m.input(), c.ic, c.oc, c.k, c.stride, c.pad, c.relu);
    const Graph fp32 = m.graph({y});
    Int8Options o;
    o.input_type = c.src;
    const int lo = c.src == DType::u8 ? 0 : -128, hi = c.src == DType::u8 ? 255 : 127;
    const Tensor x = grid_input({1, c.ic, c.ih, c.iw}, o.input_scale, lo, hi, 5);
    o.dst_types["conv0"] = c.dst;
    const Graph g = make_int8(fp32, x, o);
    auto exec = make_onednn_executor(g, two_threads(true));
    std::vector<Tensor> got, ref;
    const std::vector<NodeDiff> diffs = compare_nodes(g, x, *exec, &got, &ref);
    print_diffs(diffs, *exec);
    expect_int_nodes_close(diffs, c.repro());
    EXPECT_TRUE(on_int8_kernel(exec->profile().at(0).impl)) << c.repro() << " runs " << exec->profile().at(0).impl;
    EXPECT_EQ(onednn_stats(*exec).layout_reorders, 1) << c.repro() << ": only the input quantization";
    if (c.dst != DType::f32) continue;
    // f32 dst: |got - ref| <= 1e-5 (|acc m| + |bias|) + 1e-6 per element, |acc m| from the reference kernel.
    const Node& n = g.nodes[0];
    Int8ConvParams p{n.quant.src_scale, n.quant.weight_scales, DType::f32, 0.f};
    const Tensor accm = conv2d_int8_ref(quantize_ref(x, n.quant.src_scale, n.quant.src_type), n.weight, Tensor(),
                                        n.window, nullptr, Activation::None, p);
    const int64_t plane = accm.dim(2) * accm.dim(3);
    int64_t bad = 0;
    for (int64_t i = 0; i < accm.numel(); ++i) {
      const float tol = 1e-5f * (std::fabs(accm.data<float>()[i]) + std::fabs(n.bias.data<float>()[(i / plane) % c.oc])) + 1e-6f;
      if (!(std::fabs(got[0].data<float>()[i] - ref[0].data<float>()[i]) <= tol)) ++bad;
    }
    EXPECT_EQ(bad, 0) << c.repro() << ": f32 outputs beyond the doc's tolerance";
  }
}

// k4 s2 p1 deconvs (13 -> 26 rows) after a conv, so they run as INT8 phase convs.
TEST(OneDnnInt8, DeconvPhasesMatchReference) {
  for (DType dst : {DType::u8, DType::f32}) {
    GraphMaker m(32);
    const int a = m.conv(m.input(), 3, 13, 3, 1, 1, true);
    const int d = m.deconv(a, 13, 7, 4, 2, 1, dst == DType::u8);
    const int y = m.conv(d, 7, 5, 1, 1, 0, false);
    const Graph fp32 = m.graph({y});
    Int8Options o;
    const Tensor x = grid_input({1, 3, 13, 11}, o.input_scale, -128, 127, 6);
    if (dst == DType::f32) o.fp32_nodes = {"conv2"};  // deconv -> f32 -> FP32 conv (the TextSnake head)
    const Graph g = make_int8(fp32, x, o);
    ASSERT_EQ(g.nodes[1].quant.dst_type, dst);
    auto exec = make_onednn_executor(g, two_threads(true));
    const std::vector<NodeDiff> diffs = compare_nodes(g, x, *exec);
    print_diffs(diffs, *exec);
    expect_int_nodes_close(diffs, std::string("deconv k4s2p1 13->7 dst ") + dtype_name(dst));
    const std::string impl = exec->profile().at(1).impl;
    EXPECT_EQ(impl.rfind("phases:", 0), 0u) << impl;
    EXPECT_TRUE(on_int8_kernel(impl.substr(7))) << impl;
    if (dst == DType::f32) {
      EXPECT_LE(diffs[1].max_abs, 1e-5f * diffs[1].ref_max * 64 + 1e-6f) << "deconv f32 dst";
    }
  }
}

// The folded TextSnake head: an INT8 k4 s2 p1 deconv with a few output
// channels making an f32 graph output runs on our own kernel
// (deconv_k4s2_int8.h) where the CPU has AVX-512 VNNI. Its numbers equal the
// oneDNN phase convs' bit for bit (same integer sums, same float steps) and
// the reference within the f32 tolerance; widths cover a full 32-column
// pair, a ragged tail and a single partial block; the output is written into
// the caller's tensor, so a second run must not touch the first's result.
TEST(OneDnnInt8, SmallHeadDeconvRunsOwnKernelLikeThePhaseConvs) {
  struct HeadCase {
    int ic, oc, h, w;
    bool relu;
  };
  const HeadCase cases[] = {{32, 5, 9, 37, false}, {12, 1, 5, 16, true}, {8, 6, 4, 70, false}, {4, 3, 3, 5, true}};
  const bool vnni = onednn::deconv_k4s2_int8_supported();
  for (const HeadCase& c : cases) {
    const std::string repro = "head deconv ic" + std::to_string(c.ic) + " oc" + std::to_string(c.oc) + " " +
                              std::to_string(c.h) + "x" + std::to_string(c.w) + (c.relu ? " relu" : "");
    GraphMaker m(38);
    const int a = m.conv(m.input(), 3, c.ic, 3, 1, 1, true);  // u8 nhwc, as up_block0.conv3x3
    const Graph fp32 = m.graph({m.deconv(a, c.ic, c.oc, 4, 2, 1, c.relu)});
    Int8Options o;
    const Tensor x = grid_input({1, 3, c.h, c.w}, o.input_scale, -128, 127, 12);
    const Graph g = make_int8(fp32, x, o);
    ASSERT_EQ(g.nodes[1].quant.dst_type, DType::f32);
    auto exec = make_onednn_executor(g, two_threads(true));
    OneDnnTuning phases_only;
    phases_only.int8_deconv_k4s2_kernel = false;
    auto phases = make_onednn_executor(g, two_threads(true), phases_only);

    const Tensor got = exec->run(x).at(0);
    const Tensor kept = got.clone();
    const Tensor want = phases->run(x).at(0);
    if (vnni) {
      EXPECT_EQ(exec->profile().at(1).impl.rfind("deconv_k4s2_int8:", 0), 0u) << repro << ": " << exec->profile().at(1).impl;
    }
    EXPECT_EQ(phases->profile().at(1).impl.rfind("phases:", 0), 0u) << repro << ": " << phases->profile().at(1).impl;
    ASSERT_EQ(got.shape(), want.shape()) << repro;
    EXPECT_TRUE(bitwise_equal(got, want)) << repro << ": differs from the phase convs";
    const std::vector<NodeDiff> diffs = compare_nodes(g, x, *exec);
    EXPECT_LE(diffs[1].max_abs, 1e-5f * diffs[1].ref_max * 64 + 1e-6f) << repro << ": vs the reference";

    const Tensor x2 = grid_input({1, 3, c.h, c.w}, o.input_scale, -128, 127, 13);
    const Tensor got2 = exec->run(x2).at(0);
    EXPECT_TRUE(bitwise_equal(got2, phases->run(x2).at(0))) << repro << ": second input";
    EXPECT_FALSE(bitwise_equal(got2, kept)) << repro << ": the two inputs should give different maps";
    EXPECT_TRUE(bitwise_equal(got, kept)) << repro << ": the second run wrote into the first run's output";
  }
}

// Residual + ReLU: u8 residual into a u8 dst (in place), s8 residual into a
// u8 dst (sum with the residual's type and scale), the residual being the
// conv's own input (copy), an integer residual into an f32 dst, and a
// requantized edge (s8 dst read as u8 by its consumer).
TEST(OneDnnInt8, ResidualSumPostOpsMatchReference) {
  GraphMaker m(33);
  const int a = m.conv(m.input(), 3, 16, 3, 1, 1, true);             // conv0 u8
  const int b = m.conv(a, 16, 16, 3, 1, 1, true);                    // conv1 u8
  const int c = m.conv(b, 16, 16, 1, 1, 0, true, a);                 // conv2 u8 + u8 residual
  const int d = m.conv(c, 16, 24, 1, 1, 0, false);                   // conv3 s8
  const int e = m.conv(c, 16, 24, 3, 1, 1, true, d);                 // conv4 u8 + s8 residual
  const int f = m.conv(e, 24, 24, 1, 1, 0, false, e);                // conv5 s8, residual == src
  const int g8 = m.conv(f, 24, 24, 3, 2, 1, true, -1);               // conv6 forced s8 although ReLU
  const int h = m.conv(g8, 24, 17, 3, 1, 1, false);                  // conv7 reads it as s8
  const int out = m.conv(e, 24, 24, 3, 1, 1, false, f);              // conv8 f32 dst + s8 residual
  const Graph fp32 = m.graph({out, h});
  Int8Options o;
  o.dst_types["conv6"] = DType::i8;
  const Tensor x = grid_input({1, 3, 19, 21}, o.input_scale, -128, 127, 7);
  const Graph g = make_int8(fp32, x, o);
  ASSERT_EQ(g.nodes[8].quant.dst_type, DType::f32);
  ASSERT_GT(g.nodes[4].quant.residual_scale, 0.f);
  auto exec = make_onednn_executor(g, two_threads(true));
  const std::vector<NodeDiff> diffs = compare_nodes(g, x, *exec);
  print_diffs(diffs, *exec);
  expect_int_nodes_close(diffs, "residual chain");
  EXPECT_LE(diffs[8].max_abs, 1e-4f * diffs[8].ref_max + 1e-6f) << "f32 dst with an s8 residual";
  for (const NodeProfile& p : exec->profile()) EXPECT_TRUE(on_int8_kernel(p.impl)) << p.name << " runs " << p.impl;
}

// The 1x1 convs with a residual (conv2: u8 + u8 residual, conv4: residual ==
// src) run on jit_int8_1x1 (OneDnnTuning::jit_int8_residual_1x1, faster sum
// post-op than brgconv_1x1), and so does the 1x1 without one (conv3,
// jit_int8_plain_1x1); with a preference off its convs run oneDNN's default.
// Both match the reference and give the same output bit for bit.
// Quantizes `fp32` (calibrated on a grid input of `shape`) and runs it with
// the default tuning and with `off`: the default against the reference node
// by node, and both outputs bit for bit. Returns both profiles (kernel names).
struct KernelProfiles {
  std::vector<NodeProfile> on, off;
};
KernelProfiles expect_kernel_switch_exact(const Graph& fp32, const Shape& shape, unsigned seed, const OneDnnTuning& off,
                                          const char* what, const OneDnnTuning& on = OneDnnTuning{}) {
  Int8Options o;
  const Tensor x = grid_input(shape, o.input_scale, -128, 127, seed);
  const Graph g = make_int8(fp32, x, o);
  auto fast = make_onednn_executor(g, two_threads(true), on);
  auto dflt = make_onednn_executor(g, two_threads(true), off);
  const std::vector<NodeDiff> diffs = compare_nodes(g, x, *fast);
  print_diffs(diffs, *fast);
  expect_int_nodes_close(diffs, what);
  const Tensor y1 = fast->run(x).at(0), y2 = dflt->run(x).at(0);
  EXPECT_EQ(y1.numel(), y2.numel()) << what;
  int64_t differ = 0;
  for (int64_t i = 0; i < y1.numel() && i < y2.numel(); ++i) differ += y1.data<float>()[i] != y2.data<float>()[i];
  EXPECT_EQ(differ, 0) << what << ": outputs with and without the switch";
  return {fast->profile(), dflt->profile()};
}

TEST(OneDnnInt8, OneByOneConvsRunJitInt8AndMatchTheDefaultKernel) {
  if (!avx512_vnni_cpu()) GTEST_SKIP() << "the switch chooses between oneDNN's AVX-512 INT8 kernels";
  GraphMaker m(33);
  const int a = m.conv(m.input(), 3, 16, 3, 1, 1, true);
  const int b = m.conv(a, 16, 16, 3, 1, 1, true);
  const int c = m.conv(b, 16, 16, 1, 1, 0, true, a);     // conv2: 1x1, u8 + u8 residual
  const int d = m.conv(c, 16, 32, 1, 1, 0, false);       // conv3: 1x1, no residual
  const int e = m.conv(d, 32, 32, 1, 1, 0, false, d);    // conv4: 1x1, s8, residual == src
  const int f = m.conv(e, 32, 16, 3, 1, 1, true);
  const int g = m.conv(f, 16, 48, 1, 2, 0, true);        // conv6: 1x1 stride 2, no residual
  const Graph graph = m.graph({g});
  const Shape shape{1, 3, 24, 18};
  // Turns one switch off: the convs at `switched` leave jit_int8_1x1, those at `kept` keep their kernel.
  const auto check = [&](bool OneDnnTuning::*sw, unsigned seed, const char* what, std::initializer_list<int> switched,
                         std::initializer_list<int> kept) {
    OneDnnTuning off;
    off.*sw = false;
    const KernelProfiles p = expect_kernel_switch_exact(graph, shape, seed, off, what);
    for (int i : switched) {
      EXPECT_EQ(p.on.at(i).impl.rfind("jit_int8_1x1:", 0), 0u) << what << ": " << p.on.at(i).name << " runs " << p.on.at(i).impl;
      EXPECT_NE(p.off.at(i).impl.rfind("jit_int8_1x1:", 0), 0u) << what << " off: " << p.off.at(i).name << " runs " << p.off.at(i).impl;
    }
    for (int i : kept) EXPECT_EQ(p.on.at(i).impl, p.off.at(i).impl) << what << ": " << p.on.at(i).name << " keeps its kernel";
    std::cout << "  " << what << ": " << p.on.at(*switched.begin()).impl << ", oneDNN's default "
              << p.off.at(*switched.begin()).impl << "\n";
  };
  check(&OneDnnTuning::jit_int8_residual_1x1, 11, "1x1 convs with a residual", {2, 4}, {3, 6});
  check(&OneDnnTuning::jit_int8_plain_1x1, 13, "1x1 convs without a residual", {3, 6}, {2, 4});
}

// Dense INT8 convs with a window and output channels not a multiple of 16
// (PP-OCRv4's 96 -> 24 3x3s) run jit_int8 instead of oneDNN's brgconv:
// same integers, same outputs.
TEST(OneDnnInt8, NarrowOutputConvsRunJitInt8AndMatchTheDefaultKernel) {
  if (!avx512_vnni_cpu()) GTEST_SKIP() << "the switch chooses between oneDNN's AVX-512 INT8 kernels";
  GraphMaker m(35);
  const int a = m.conv(m.input(), 3, 96, 3, 1, 1, true);
  const int b = m.conv(a, 96, 24, 3, 1, 1, true);   // narrow: jit_int8
  const int c = m.conv(b, 24, 32, 3, 1, 1, false);  // a multiple of 16: oneDNN's choice
  const int d = m.conv(c, 32, 24, 1, 1, 0, false);  // 1x1: oneDNN's choice
  // Among oneDNN's kernels (our own for 8 or 24 channels, conv_int8_narrow.h, is off here).
  OneDnnTuning on, off;
  on.int8_narrow_kernel = off.int8_narrow_kernel = false;
  off.jit_int8_narrow_oc = false;
  const KernelProfiles p = expect_kernel_switch_exact(m.graph({d}), {1, 3, 64, 96}, 12, off, "jit_int8 narrow convs", on);
  EXPECT_EQ(p.on.at(1).impl.rfind("jit_int8:", 0), 0u) << p.on.at(1).name << " runs " << p.on.at(1).impl;
  for (int i : {2, 3}) EXPECT_EQ(p.on.at(i).impl, p.off.at(i).impl) << p.on.at(i).name << " keeps oneDNN's choice";
  std::cout << "  96 -> 24 3x3: " << p.on.at(1).impl << ", oneDNN's default " << p.off.at(1).impl << "\n";
}

// INT8 3x3s with IC <= 128 and IC <= 2 OC (R50's layer1 / layer2 conv2s) run
// jit_int8 instead of brgconv (OneDnnTuning::jit_int8_3x3); wider inputs and
// 3x3s reducing channels more than 2x keep brgconv. Same integers, same outputs.
TEST(OneDnnInt8, SquareThreeByThreeConvsRunJitInt8AndMatchTheDefaultKernel) {
  if (!avx512_vnni_cpu()) GTEST_SKIP() << "the switch chooses between oneDNN's AVX-512 INT8 kernels";
  GraphMaker m(37);
  const int a = m.conv(m.input(), 3, 64, 3, 1, 1, true);  // conv0: our stem kernel
  const int b = m.conv(a, 64, 16, 3, 1, 1, true);         // conv1: IC > 2 OC, brgconv
  const int c = m.conv(b, 16, 32, 3, 1, 1, true);         // conv2: 16 -> 32, jit_int8
  const int d = m.conv(c, 32, 160, 3, 2, 1, true);        // conv3: 32 -> 160 stride 2, jit_int8
  const int e = m.conv(d, 160, 160, 3, 1, 1, false);      // conv4: IC > 128, brgconv
  OneDnnTuning off;
  off.jit_int8_3x3 = false;
  const KernelProfiles p = expect_kernel_switch_exact(m.graph({e}), {1, 3, 40, 36}, 14, off, "jit_int8 3x3 convs");
  for (int i : {2, 3}) {
    EXPECT_EQ(p.on.at(i).impl.rfind("jit_int8:", 0), 0u) << p.on.at(i).name << " runs " << p.on.at(i).impl;
    EXPECT_NE(p.off.at(i).impl.rfind("jit_int8:", 0), 0u) << p.off.at(i).name << " off runs " << p.off.at(i).impl;
  }
  for (int i : {1, 4}) EXPECT_EQ(p.on.at(i).impl, p.off.at(i).impl) << p.on.at(i).name << " keeps oneDNN's choice";
  std::cout << "  16 -> 32 3x3: " << p.on.at(2).impl << ", oneDNN's default " << p.off.at(2).impl << "\n";
}

// INT8 phase interleave by our pixel copy (OneDnnTuning::phase_copy_kernel)
// vs oneDNN's strided reorders: the same bytes (7, 16 and 48-channel u8 pixels).
TEST(OneDnnInt8, DeconvPhaseCopyGivesTheReordersOutputBitForBit) {
  if (!onednn::concat_channels_supported()) GTEST_SKIP() << "our pixel copy needs AVX-512 BW";
  GraphMaker m(38);
  const int a = m.conv(m.input(), 3, 16, 3, 1, 1, true);
  const int b = m.deconv(a, 16, 7, 4, 2, 1, true);     // deconv1: 7-byte pixels
  const int c = m.conv(b, 7, 16, 3, 1, 1, true);
  const int d = m.deconv(c, 16, 48, 4, 2, 1, true);    // deconv3: 48-byte pixels
  const int e = m.deconv(d, 48, 16, 4, 2, 1, true);    // deconv4: 16-byte pixels
  OneDnnTuning off;
  off.phase_copy_kernel = false;
  const KernelProfiles p = expect_kernel_switch_exact(m.graph({e}), {2, 3, 7, 6}, 15, off, "phase copy");
  for (int i : {1, 3, 4}) {
    EXPECT_NE(p.on.at(i).impl.find("+ copy_pixels:"), std::string::npos) << p.on.at(i).name << " runs " << p.on.at(i).impl;
    EXPECT_EQ(p.off.at(i).impl.find("copy_pixels"), std::string::npos) << p.off.at(i).name << " runs " << p.off.at(i).impl;
  }
}

// ConvTranspose with kernel == stride and no padding (DB heads' k2 s2; here
// also k3 s3 to one output channel): one 1x1 conv with stride² · OC channels
// and a pixel-shuffle reorder, the same numbers as the phase convs, FP32 and INT8.
TEST(OneDnnInt8, KernelEqualsStrideDeconvsRunAsOnePixelShuffleConv) {
  GraphMaker m(36);
  const int a = m.conv(m.input(), 3, 13, 3, 1, 1, true);
  const int d = m.deconv(a, 13, 7, 2, 2, 0, true);
  const int e = m.deconv(d, 7, 1, 3, 3, 0, false);
  const Graph fp32 = m.graph({e});
  const Shape in{1, 3, 13, 11};
  OneDnnTuning off;
  off.deconv_pixel_shuffle = false;
  const KernelProfiles p = expect_kernel_switch_exact(fp32, in, 13, off, "pixel-shuffle deconvs");
  for (int i : {1, 2}) {
    EXPECT_EQ(p.on.at(i).impl.rfind("pixel_shuffle:", 0), 0u) << p.on.at(i).name << " runs " << p.on.at(i).impl;
    EXPECT_EQ(p.off.at(i).impl.rfind("phases:", 0), 0u) << p.off.at(i).name << " runs " << p.off.at(i).impl;
  }
  // FP32: against the reference, and bit for bit against the phase convs.
  const Tensor x = m.random_input(in);
  auto fast = make_onednn_executor(fp32, two_threads());
  const std::vector<Tensor> y = expect_matches_reference(fp32, x, "pixel-shuffle deconvs FP32", fast.get());
  EXPECT_EQ(fast->profile().at(2).impl.rfind("pixel_shuffle:", 0), 0u) << fast->profile().at(2).impl;
  const Tensor y0 = make_onednn_executor(fp32, two_threads(), off)->run(x).at(0);
  int64_t differ = 0;
  for (int64_t i = 0; i < y0.numel(); ++i) differ += y.at(0).data<float>()[i] != y0.data<float>()[i];
  EXPECT_EQ(differ, 0) << "FP32 pixel shuffle vs phase convs";
}

// MaxPool and Concat on u8 values (one scale for the concat group): no
// dequantizing reorder anywhere, only the input's quantization.
TEST(OneDnnInt8, MaxPoolAndConcatStayInteger) {
  GraphMaker m(34);
  const int a = m.conv(m.input(), 3, 16, 3, 2, 1, true);
  const int p = m.max_pool(a, 3, 2, 1);
  const int b = m.conv(p, 16, 13, 1, 1, 0, true);
  const int c = m.conv(p, 16, 16, 3, 1, 1, true);
  const int cat = m.concat({b, c, p});
  const int y = m.conv(cat, 45, 17, 3, 1, 1, true);
  const Graph fp32 = m.graph({y});
  Int8Options o;
  const Tensor x = grid_input({1, 3, 35, 29}, o.input_scale, -128, 127, 8);
  const Graph g = make_int8(fp32, x, o);
  auto exec = make_onednn_executor(g, two_threads(true));
  const std::vector<NodeDiff> diffs = compare_nodes(g, x, *exec);
  print_diffs(diffs, *exec);
  expect_int_nodes_close(diffs, "pool + concat of u8");
  EXPECT_TRUE(diffs[1].integer && diffs[4].integer) << "pool and concat outputs are integer values";
  EXPECT_EQ(onednn_stats(*exec).layout_reorders, 1) << "only the input quantization: no f32 round trip";
  for (const NodeProfile& p : exec->profile()) EXPECT_EQ(p.impl.rfind("ref", 0), std::string::npos) << p.name << " " << p.impl;
}

// A concat input that keeps its own scale because it has another reader (a
// backbone stage output feeding both the next stage and the neck's concat):
// the concat is done in the type and scale its INT8 reader takes, that input
// requantized on the way in, as the reference does by quantizing the f32 concat.
TEST(OneDnnInt8, ConcatRequantizesAnInputWithItsOwnScale) {
  GraphMaker m(37);
  const int a = m.conv(m.input(), 3, 16, 3, 2, 1, true);  // conv0: read by the concat and by conv4
  const int b = m.conv(a, 16, 16, 3, 1, 1, true);         // conv1: read by the concat only
  const int cat = m.concat({b, a});                        // concat2
  const int y = m.conv(cat, 32, 8, 1, 1, 0, true);         // conv3
  const int z = m.conv(a, 16, 8, 3, 2, 1, true);           // conv4
  const Graph fp32 = m.graph({y, z});
  Int8Options o;
  const Tensor x = grid_input({1, 3, 29, 37}, o.input_scale, -128, 127, 10);
  Graph g = make_int8(fp32, x, o);
  // conv0 gets a finer scale of its own; its direct readers take it as is.
  const float own = g.nodes[0].quant.dst_scale * 0.6f;
  g.nodes[0].quant.dst_scale = own;
  g.nodes[1].quant.src_scale = own;
  g.nodes[4].quant.src_scale = own;
  ASSERT_NE(g.nodes[3].quant.src_scale, own);
  ASSERT_EQ(g.nodes[3].quant.src_type, DType::u8);
  auto exec = make_onednn_executor(g, two_threads(true));
  const std::vector<NodeDiff> diffs = compare_nodes(g, x, *exec);
  print_diffs(diffs, *exec);
  expect_int_nodes_close(diffs, "concat with a requantized input");
  for (size_t i : {3u, 4u}) EXPECT_LE(diffs[i].max_abs, 1e-4f * diffs[i].ref_max + 1e-6f) << diffs[i].name;
  // The concat output holds integers of conv3's input scale, within one step
  // of the reference's f32 concat quantized to that scale.
  Tensor cat_got, cat_ref;
  NodeObserver og = [&](const Node& n, const Tensor& t) { if (n.name == "concat2") cat_got = t.clone(); };
  NodeObserver orf = [&](const Node& n, const Tensor& t) { if (n.name == "concat2") cat_ref = t.clone(); };
  exec->run(x, &og);
  make_reference_executor(g, {})->run(x, &orf);
  ASSERT_EQ(cat_got.numel(), cat_ref.numel());
  const float step = g.nodes[3].quant.src_scale;
  int64_t off = 0;
  for (int64_t i = 0; i < cat_got.numel(); ++i) {
    const float q = cat_got.data<float>()[i] / step;
    ASSERT_NEAR(q, std::nearbyint(q), 1e-3f) << "element " << i << " is not on conv3's input grid";
    const float r = std::min(255.f, std::max(0.f, std::nearbyint(cat_ref.data<float>()[i] / step)));
    ASSERT_LE(std::fabs(std::nearbyint(q) - r), 1.f) << "element " << i;
    off += std::nearbyint(q) != r;
  }
  EXPECT_LE(off * 1000, cat_got.numel()) << "off by one too often";
  // The requantization is the concat's own copy of that input into its
  // channel slice (nhwc): the input's quantization is the only other reorder.
  EXPECT_EQ(onednn_stats(*exec).layout_reorders, 1) << "input quantization only, no separate requantizing copy";
  EXPECT_EQ(exec->profile()[2].impl.rfind("slices:", 0), 0u) << exec->profile()[2].impl;
  for (const NodeProfile& p : exec->profile()) EXPECT_EQ(p.impl.rfind("ref", 0), std::string::npos) << p.name << " " << p.impl;
}

// FP32 and INT8 nodes mixed: quantizing (f32 -> u8) and dequantizing
// reorders at the boundaries, an f32 residual into a u8 dst (staged), Add
// and MaxPool of INT8 values in f32, an INT8 phase deconv, an INT8 f32 head.
TEST(OneDnnInt8, MixedFp32Int8ChainMatchesReference) {
  GraphMaker m(35);
  const int x8 = m.conv(m.input(), 3, 16, 3, 2, 1, true);           // conv0 INT8
  const int y = m.conv(x8, 16, 16, 3, 1, 1, true);                   // conv1 FP32
  const int z = m.conv(y, 16, 16, 1, 1, 0, true, x8);                // conv2 INT8, src from FP32, u8 residual
  const int r = m.conv(z, 16, 16, 1, 1, 0, false);                   // conv3 FP32
  const int w = m.conv(z, 16, 16, 3, 1, 1, true, r);                 // conv4 INT8 u8 dst + f32 residual
  const int a = m.add(w, z, true);                                   // add5 (f32)
  const int p = m.max_pool(a, 3, 2, 1);                              // pool6 (f32)
  const int d = m.deconv(w, 16, 8, 4, 2, 1, true);                   // deconv7 INT8 phases
  const int out = m.conv(d, 8, 5, 1, 1, 0, false);                   // conv8 INT8, f32 dst
  const Graph fp32 = m.graph({out, p});
  Int8Options o;
  o.fp32_nodes = {"conv1", "conv3"};
  const Tensor x = grid_input({1, 3, 27, 33}, o.input_scale, -128, 127, 9);
  const Graph g = make_int8(fp32, x, o);
  ASSERT_FALSE(g.nodes[1].quant.enabled);
  ASSERT_EQ(g.nodes[4].quant.residual_scale, 0.f);
  ASSERT_EQ(g.nodes[4].quant.dst_type, DType::u8);
  auto exec = make_onednn_executor(g, two_threads(true));
  std::vector<Tensor> got, ref;
  const std::vector<NodeDiff> diffs = compare_nodes(g, x, *exec, &got, &ref);
  print_diffs(diffs, *exec);
  expect_int_nodes_close(diffs, "mixed chain");
  for (size_t i : {1u, 3u, 5u, 6u, 8u})
    EXPECT_LE(diffs[i].max_abs, 1e-4f * diffs[i].ref_max + 1e-6f) << diffs[i].name;
  EXPECT_EQ(exec->profile().at(7).impl.rfind("phases:", 0), 0u);
  const std::string d8 = exec->describe();
  EXPECT_NE(d8.find("int8"), std::string::npos) << d8;
}

TEST(OneDnnInt8, SecondRunReusesThePlanAndIsDeterministic) {
  GraphMaker m(36);
  const int a = m.conv(m.input(), 3, 16, 3, 2, 1, true);
  const int b = m.conv(a, 16, 16, 3, 1, 1, true, a);
  const Graph fp32 = m.graph({m.deconv(b, 16, 8, 4, 2, 1, false)});
  Int8Options o;
  const Tensor x = grid_input({1, 3, 21, 17}, o.input_scale, -128, 127, 10);
  const Graph g = make_int8(fp32, x, o);
  auto exec = make_onednn_executor(g, two_threads(true));
  const Tensor first = exec->run(x).at(0);
  const Tensor second = exec->run(x).at(0);
  EXPECT_TRUE(bitwise_equal(first, second));
  EXPECT_EQ(onednn_stats(*exec).plans_built, 1);
}

TEST(OneDnnInt8, BadQuantParamsAreRefusedNamingTheNode) {
  GraphMaker m(37);
  const int a = m.conv(m.input(), 3, 8, 3, 1, 1, true);
  Int8Options o;
  const Tensor x = grid_input({1, 3, 8, 8}, o.input_scale, -128, 127, 11);
  Graph g = make_int8(m.graph({a}), x, o);
  g.nodes[0].quant.src_scale = 0.f;
  try {
    make_onednn_executor(g, two_threads(true));
    FAIL() << "accepted src_scale 0";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidFile);
    EXPECT_NE(std::string(e.what()).find("conv0"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("src_scale"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace textq::test
