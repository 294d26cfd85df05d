// One op at a time, oneDNN vs the reference executor, on awkward shapes:
// odd H/W, channels that are not multiples of 8/16, strides and pads that
// leave partial windows.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <sstream>

#include "backends/onednn/concat_channels.h"
#include "backends/onednn/winograd_f43.h"
#include "graph_maker.h"

namespace textq::test {
namespace {

struct ConvCase {
  int mb, ic, oc, ih, iw, k, stride, pad, groups, dilation;
  bool relu, bias;
  // benchdnn-style one-liner, e.g. mb1ic13oc17ih9iw7kh3sh1ph1g1dh1_relu_bias
  std::string repro(const char* op) const {
    std::ostringstream s;
    s << op << " mb" << mb << "ic" << ic << "oc" << oc << "ih" << ih << "iw" << iw << "kh" << k << "kw" << k << "sh"
      << stride << "ph" << pad << "g" << groups << "dh" << dilation << (relu ? "_relu" : "") << (bias ? "_bias" : "");
    return s.str();
  }
};

const ConvCase kConvCases[] = {
    {1, 13, 17, 9, 7, 3, 1, 1, 1, 1, true, true},        // 3x3 p1, odd everything
    {1, 17, 32, 11, 13, 1, 2, 0, 1, 1, false, false},    // ResNet caffe-style stride-2 1x1
    {1, 3, 16, 23, 19, 7, 2, 3, 1, 1, true, false},      // the stem: 7x7 s2 p3 on 3 channels
    {2, 16, 16, 8, 8, 3, 1, 1, 1, 1, true, true},        // batch 2, blocked-friendly
    {1, 32, 48, 15, 9, 3, 2, 1, 1, 1, false, true},      // 3x3 s2 on odd sizes
    {1, 12, 18, 7, 10, 3, 1, 1, 3, 1, true, true},       // groups 3
    {1, 8, 8, 12, 11, 3, 1, 2, 1, 2, false, true},       // dilation 2
    {1, 64, 64, 10, 13, 3, 1, 1, 1, 1, true, true},      // Winograd-eligible shape
};

TEST(OneDnnOps, ConvMatchesReference) {
  for (const ConvCase& c : kConvCases) {
    GraphMaker m(7);
    const int y = m.conv(m.input(), c.ic, c.oc, c.k, c.stride, c.pad, c.relu, -1, c.groups, c.bias, c.dilation);
    expect_matches_reference(m.graph({y}), m.random_input({c.mb, c.ic, c.ih, c.iw}), c.repro("conv"));
  }
}

TEST(OneDnnOps, ConvWinogradTuningStaysWithinTolerance) {
  if (!onednn::winograd_f43_supported()) GTEST_SKIP() << "our Winograd kernel needs AVX-512 or AVX2 + FMA";
  // Winograd is opt-in; where oneDNN has no kernel it silently goes direct.
  int winograd_runs = 0;
  for (const ConvCase& c : kConvCases) {
    GraphMaker m(8);
    const int y = m.conv(m.input(), c.ic, c.oc, c.k, c.stride, c.pad, c.relu, -1, c.groups, c.bias, c.dilation);
    const Graph g = m.graph({y});
    const ExecOptions opts = two_threads();
    OneDnnTuning tuning;
    tuning.winograd = true;
    auto exec = make_onednn_executor(g, opts, tuning);
    expect_matches_reference(g, m.random_input({c.mb, c.ic, c.ih, c.iw}), c.repro("conv_wino"), exec.get());
    if (exec->profile().at(0).impl.find("wino") != std::string::npos) ++winograd_runs;
  }
  EXPECT_GT(winograd_runs, 0) << "no case reached a Winograd kernel: the tolerance check above proved nothing";
}

TEST(OneDnnOps, WinogradNhwcChainsMatchReference) {
  // The nhwc Winograd F(4,3) step (winograd_f43.h) behind a 1x1 conv (an nhwc
  // producer): partial output tiles (H, W not multiples of 4), channel tails
  // (not multiples of 16), two GEMM panels plus a tail (OC 144), batch 2,
  // residual in place and copied, ReLU, no bias, pad 2 with a 3x3 (output
  // larger than the input); 320 -> 64 channels on 25x26 tiles runs the
  // shared-chunk mode on AVX2 (two chunks, the second a partial GEMM task).
  struct Case {
    int mb, ic, oc, ih, iw, pad;
    bool relu, bias, residual;
  };
  const Case cases[] = {
      {1, 16, 16, 8, 8, 1, true, true, false},     {2, 13, 17, 9, 7, 1, false, true, false},
      {1, 80, 144, 13, 22, 1, true, true, true},   {1, 32, 32, 5, 6, 1, true, false, true},
      {1, 24, 40, 6, 9, 2, false, true, false},    {2, 64, 64, 23, 40, 1, true, true, true},
      {1, 320, 64, 98, 102, 1, true, true, true},
  };
  for (const Case& c : cases) {
    GraphMaker m(21);
    const int x = m.conv(m.input(), 3, c.ic, 1, 1, 0, true);
    const int r = c.residual ? m.conv(m.input(), 3, c.oc, 1, 1, 0, false) : -1;
    const int y = m.conv(x, c.ic, c.oc, 3, 1, c.pad, c.relu, r, 1, c.bias);
    const int z = m.conv(y, c.oc, 8, 1, 1, 0, false);  // reads the Winograd output in nhwc
    const Graph g = m.graph({y, z});
    ExecOptions opts = two_threads(true);
    auto exec = make_onednn_executor(g, opts);
    std::ostringstream repro;
    repro << "wino mb" << c.mb << "ic" << c.ic << "oc" << c.oc << "ih" << c.ih << "iw" << c.iw << "ph" << c.pad
          << (c.residual ? "_residual" : "");
    expect_matches_reference(g, m.random_input({c.mb, 3, c.ih, c.iw}), repro.str(), exec.get());
    const std::vector<NodeProfile> prof = exec->profile();
    const size_t wino = c.residual ? 2 : 1;
    if (onednn::winograd_f43_supported()) {
      EXPECT_EQ(prof.at(wino).impl, std::string("wino_f43_nhwc:") + onednn::winograd_f43_isa()) << repro.str();
      // No reorder beyond the direct-conv plan's (the graph input's): Winograd reads and writes nhwc.
      OneDnnTuning direct;
      direct.winograd = false;
      auto exec_direct = make_onednn_executor(g, opts, direct);
      exec_direct->run(m.random_input({c.mb, 3, c.ih, c.iw}));
      EXPECT_EQ(exec_direct->profile().at(wino).impl.rfind("wino_f43", 0), std::string::npos);
      EXPECT_EQ(onednn_stats(*exec).layout_reorders, onednn_stats(*exec_direct).layout_reorders) << repro.str();
    }
  }
}

// Max |a - b| over two f32 tensors of one shape.
double max_abs_diff(const Tensor& a, const Tensor& b) {
  double err = 0;
  for (int64_t i = 0; i < a.numel(); ++i) err = std::max(err, std::fabs(double(a.data<float>()[i]) - b.data<float>()[i]));
  return err;
}

double max_abs(const Tensor& a) {
  double m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::fabs(double(a.data<float>()[i])));
  return m;
}

TEST(OneDnnOps, Bf16PrecisionStaysNearFp32) {
  // ExecOptions::bf16: FP32 convs (Winograd 3x3 included) in bf16 with f32
  // accumulation. bf16 keeps 8 bits of mantissa, so the error is that of
  // oneDNN's own bf16 direct convs, not f32's: our bf16 Winograd with the f32
  // GEMM must stay within twice the direct bf16 error, and both far from a
  // wrong answer. (All at full resolution: no layer is past 1/16, so the
  // default tuning keeps the f32 GEMM.)
  if (!onednn::winograd_f43_bf16_supported()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  GraphMaker m(23);
  const int x = m.conv(m.input(), 3, 32, 1, 1, 0, true);   // reads the image: stays f32
  const int r = m.conv(m.input(), 3, 48, 1, 1, 0, false);
  const int y = m.conv(x, 32, 48, 3, 1, 1, true, r);       // Winograd with a residual
  const int z = m.conv(y, 48, 16, 3, 1, 1, false);         // Winograd, OC one vector
  const int out = m.conv(z, 16, 8, 1, 1, 0, false);        // graph output: bf16 in, f32 out
  const Graph g = m.graph({out});
  const Tensor in = m.random_input({1, 3, 19, 26});
  ExecOptions opts = two_threads(true);
  const Tensor ref = make_reference_executor(g, opts)->run(in).at(0);
  opts.bf16 = true;
  OneDnnTuning wino_tuning;
  wino_tuning.fold_output_pointwise = false;  // keep z and the output 1x1 apart: each is checked below
  auto wino = make_onednn_executor(g, opts, wino_tuning);
  const double wino_err = max_abs_diff(ref, wino->run(in).at(0));
  EXPECT_EQ(wino->profile().at(0).impl.find("bf16"), std::string::npos) << wino->profile().at(0).impl;
  EXPECT_EQ(wino->profile().at(2).impl, "wino_f43_nhwc:avx512_bf16");
  EXPECT_EQ(wino->profile().at(3).impl, "wino_f43_nhwc:avx512_bf16");
  EXPECT_NE(wino->profile().at(4).impl.find("bf16"), std::string::npos) << wino->profile().at(4).impl;
  EXPECT_NE(wino->describe().find("bf16"), std::string::npos);
  OneDnnTuning direct_tuning = wino_tuning;
  direct_tuning.winograd = false;
  auto direct = make_onednn_executor(g, opts, direct_tuning);
  const double direct_err = max_abs_diff(ref, direct->run(in).at(0));
  EXPECT_NE(direct->profile().at(2).impl.find("bf16"), std::string::npos) << direct->profile().at(2).impl;
  const double max_ref = max_abs(ref);
  EXPECT_GT(direct_err, 0.0);  // bf16 really ran
  EXPECT_LE(wino_err, 2 * direct_err + 1e-3 * max_ref) << "winograd " << wino_err << " direct " << direct_err;
  EXPECT_LE(wino_err, 0.1 * max_ref);
}

TEST(OneDnnOps, Bf16WinogradGemmStaysWithinItsBound) {
  // The bf16-GEMM Winograd kernel (vdpbf16ps on bf16 tiles and weights)
  // against the reference backend on awkward shapes: channel tails, two
  // GEMM panels plus a tail (OC 144), partial tiles, a residual, batch 2.
  // Its rounding error is larger than a direct bf16 conv's (2-3x here, up to
  // ~13x rms on ReLU-positive tiles in a simulation); the bound is 10x
  // oneDNN's bf16 direct conv on the same graph (mis-paired weight channels
  // give ~100x, errors of the order of a third of the output).
  if (!onednn::winograd_f43_bf16_supported()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  struct Case {
    int mb, ic, oc, ih, iw;
    bool residual;
  };
  const Case cases[] = {{1, 13, 17, 9, 7, false}, {1, 80, 144, 13, 22, true}, {2, 64, 64, 23, 40, true}};
  for (const Case& c : cases) {
    GraphMaker m(31);
    const int x = m.conv(m.input(), 3, c.ic, 1, 1, 0, true);
    const int xb = m.conv(x, c.ic, c.ic, 1, 1, 0, true);  // a bf16 producer
    const int r = c.residual ? m.conv(x, c.ic, c.oc, 1, 1, 0, false) : -1;
    const int y = m.conv(xb, c.ic, c.oc, 3, 1, 1, true, r);
    const int out = m.conv(y, c.oc, 8, 1, 1, 0, false);
    const Graph g = m.graph({out});
    const Tensor in = m.random_input({c.mb, 3, c.ih, c.iw});
    ExecOptions opts = two_threads(true);
    const Tensor ref = make_reference_executor(g, opts)->run(in).at(0);
    opts.bf16 = true;
    OneDnnTuning always;
    always.bf16_winograd_gemm = OneDnnTuning::Bf16WinogradGemm::Always;
    auto gemm = make_onednn_executor(g, opts, always);
    const double gemm_err = max_abs_diff(ref, gemm->run(in).at(0));
    const size_t wino = c.residual ? 3 : 2;
    EXPECT_EQ(gemm->profile().at(wino).impl, "wino_f43_nhwc:avx512_bf16_gemm");
    OneDnnTuning direct_tuning;
    direct_tuning.winograd = false;
    const double direct_err = max_abs_diff(ref, make_onednn_executor(g, opts, direct_tuning)->run(in).at(0));
    const double max_ref = max_abs(ref);
    std::ostringstream repro;
    repro << "wino_bf16_gemm mb" << c.mb << "ic" << c.ic << "oc" << c.oc << "ih" << c.ih << "iw" << c.iw
          << (c.residual ? "_residual" : "") << ": error " << gemm_err << ", direct bf16 " << direct_err << ", max "
          << max_ref;
    EXPECT_GT(direct_err, 0.0) << repro.str();
    EXPECT_LE(gemm_err, 10 * direct_err) << repro.str();
    EXPECT_LE(gemm_err, 0.05 * max_ref) << repro.str();
  }
}

TEST(OneDnnOps, Bf16ResidualOneByOneConvsRunJitBf16NearTheDefaultKernel) {
  // bf16 1x1 convs with a residual (a Bottleneck conv3: bf16 src and residual,
  // sum + ReLU) take jit_bf16_1x1 (OneDnnTuning::jit_bf16_residual_1x1) instead
  // of oneDNN's default brgconv_1x1; a 1x1 conv without a residual keeps the
  // default. Both kernels round the same f32 sums to bf16, so they stay within
  // bf16 rounding of each other and of the FP32 reference; a mis-read residual
  // would be off by the residual itself (~its max).
  if (!onednn::winograd_f43_bf16_supported()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  GraphMaker m(37);
  const int a = m.conv(m.input(), 3, 64, 1, 1, 0, true);  // reads the image: stays f32
  const int b = m.conv(a, 64, 32, 1, 1, 0, true);         // bf16 1x1, no residual
  const int c = m.conv(b, 32, 64, 1, 1, 0, true, a);      // bf16 1x1 + residual: jit_bf16_1x1
  const int out = m.conv(c, 64, 8, 1, 1, 0, false);
  const Graph g = m.graph({out});
  const Tensor in = m.random_input({1, 3, 21, 38});
  ExecOptions opts = two_threads(true);
  const Tensor ref = make_reference_executor(g, opts)->run(in).at(0);
  opts.bf16 = true;
  auto fast = make_onednn_executor(g, opts);
  OneDnnTuning off;
  off.jit_bf16_residual_1x1 = false;
  auto dflt = make_onednn_executor(g, opts, off);
  const Tensor y_fast = fast->run(in).at(0), y_dflt = dflt->run(in).at(0);
  const std::vector<NodeProfile> pf = fast->profile(), pd = dflt->profile();
  EXPECT_EQ(pf.at(2).impl.rfind("jit_bf16_1x1:", 0), 0u) << pf.at(2).name << " runs " << pf.at(2).impl;
  EXPECT_EQ(pd.at(2).impl.find("jit_bf16_1x1"), std::string::npos) << "with the preference off: " << pd.at(2).impl;
  EXPECT_EQ(pf.at(1).impl, pd.at(1).impl) << "a 1x1 conv without a residual keeps oneDNN's choice";
  const double max_ref = max_abs(ref);
  const double fast_err = max_abs_diff(ref, y_fast), dflt_err = max_abs_diff(ref, y_dflt);
  std::cout << "  bf16 residual 1x1: " << pf.at(2).impl << " error " << fast_err << ", " << pd.at(2).impl << " error "
            << dflt_err << ", max " << max_ref << "\n";
  EXPECT_GT(dflt_err, 0.0);  // bf16 really ran
  EXPECT_LE(fast_err, 2 * dflt_err + 1e-3 * max_ref);
  EXPECT_LE(max_abs_diff(y_fast, y_dflt), 0.02 * max_ref);
}

TEST(OneDnnOps, Bf16WinogradGemmOnlyPastSixteenthResolution) {
  // Default tuning (Deep): a Winograd layer at full resolution keeps the f32
  // GEMM, one after the graph has reached 1/16 of the input takes the bf16 one.
  if (!onednn::winograd_f43_bf16_supported()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  GraphMaker m(37);
  const int x = m.conv(m.input(), 3, 16, 1, 1, 0, true);
  const int a = m.conv(x, 16, 16, 3, 1, 1, true);     // 64x64: not deep
  const int d = m.conv(a, 16, 32, 1, 16, 0, true);    // 4x4: 1/16
  const int b = m.conv(d, 32, 32, 3, 1, 1, true);     // deep
  const int out = m.conv(b, 32, 8, 1, 1, 0, false);
  const Graph g = m.graph({out});
  const Tensor in = m.random_input({1, 3, 64, 64});
  ExecOptions opts = two_threads(true);
  opts.bf16 = true;
  auto exec = make_onednn_executor(g, opts);
  exec->run(in);
  EXPECT_EQ(exec->profile().at(1).impl, "wino_f43_nhwc:avx512_bf16");
  EXPECT_EQ(exec->profile().at(3).impl, "wino_f43_nhwc:avx512_bf16_gemm");
  OneDnnTuning never;
  never.bf16_winograd_gemm = OneDnnTuning::Bf16WinogradGemm::Never;
  auto exec_never = make_onednn_executor(g, opts, never);
  exec_never->run(in);
  EXPECT_EQ(exec_never->profile().at(3).impl, "wino_f43_nhwc:avx512_bf16");
}

TEST(OneDnnOps, DeconvMatchesReference) {
  const ConvCase cases[] = {
      {1, 13, 7, 9, 7, 4, 2, 1, 1, 1, false, true},  // TextSnake's k4 s2 p1 (2x upsample), odd channels
      {1, 32, 32, 5, 6, 4, 2, 1, 1, 1, true, true},  // with ReLU post-op
      {2, 16, 8, 4, 5, 3, 1, 1, 1, 1, false, true},  // k3 s1 p1 (same size), batch 2
      {1, 8, 6, 5, 4, 4, 2, 1, 2, 1, true, true},    // groups 2
  };
  for (const ConvCase& c : cases) {
    // On the graph input: oneDNN's deconvolution primitive.
    GraphMaker m(11);
    const int y = m.deconv(m.input(), c.ic, c.oc, c.k, c.stride, c.pad, c.relu, 0, c.groups);
    expect_matches_reference(m.graph({y}), m.random_input({c.mb, c.ic, c.ih, c.iw}), c.repro("deconv"));
    // After a conv (nhwc): strided ungrouped ones run as phase convs (k4 s2
    // p1 without AVX-512: as a Winograd conv unless switched off, tested below).
    GraphMaker m2(15);
    const int x2 = m2.conv(m2.input(), 3, c.ic, 1, 1, 0, false);
    const int y2 = m2.deconv(x2, c.ic, c.oc, c.k, c.stride, c.pad, c.relu, 0, c.groups);
    const Graph g2 = m2.graph({y2});
    const ExecOptions opts = two_threads();
    OneDnnTuning no_winograd;
    no_winograd.deconv_winograd_before_avx512 = false;
    auto exec = make_onednn_executor(g2, opts, no_winograd);
    expect_matches_reference(g2, m2.random_input({c.mb, 3, c.ih, c.iw}), c.repro("conv1x1+deconv"), exec.get());
    const bool phases = c.stride > 1 && c.groups == 1;
    EXPECT_EQ(exec->profile().at(1).impl.rfind("phases:", 0) == 0, phases)
        << c.repro("deconv") << ": " << exec->profile().at(1).impl;
  }
  {
    GraphMaker m(16);  // k3 s2 p1: kernel not a multiple of the stride -> deconvolution primitive
    const int x = m.conv(m.input(), 3, 16, 1, 1, 0, false);
    const int y = m.deconv(x, 16, 16, 3, 2, 1, true);
    expect_matches_reference(m.graph({y}), m.random_input({1, 3, 7, 8}), "conv1x1+deconv mb1ic16oc16ih7iw8kh3sh2ph1");
  }
  {
    GraphMaker m(17);  // k6 s3 p2 on odd sizes: 3x3 phases with uneven row counts
    const int x = m.conv(m.input(), 3, 13, 1, 1, 0, false);
    const int y = m.deconv(x, 13, 7, 6, 3, 2, false);
    expect_matches_reference(m.graph({y}), m.random_input({1, 3, 5, 7}), "conv1x1+deconv mb1ic13oc7ih5iw7kh6sh3ph2");
  }
  GraphMaker m(12);  // output_padding 1 -> odd output size
  const int y = m.deconv(m.input(), 5, 9, 3, 2, 1, false, 1);
  expect_matches_reference(m.graph({y}), m.random_input({1, 5, 7, 6}), "deconv mb1ic5oc9ih7iw6kh3sh2ph1oph1");
}

// The phase interleave of a strided deconv in nhwc (our pixel copy,
// OneDnnTuning::phase_copy_kernel) matches the reference and writes exactly
// what oneDNN's strided reorders write: odd channel counts (a masked tail), 16 / 32 / 64-byte
// pixels, batch 2, and k6 s3 p2 on odd sizes (phases with uneven row counts).
// Without AVX-512 oneDNN's own layout for FP32 convs is nChw8c, where strided
// deconvs cannot run as phase convs; OneDnnTuning::nhwc_before_avx512 starts
// the graph in nhwc instead (the same numbers; docs/backends.md, Layout policy).
TEST(OneDnnOps, Fp32GraphsStartInNhwcWithoutAvx512SoDeconvsRunAsPhases) {
  if (__builtin_cpu_supports("avx512f")) GTEST_SKIP() << "with AVX-512 oneDNN's brgconv picks nhwc itself";
  GraphMaker m(17);  // 1x1s: a 3x3 stride 1 would start nhwc anyway (our Winograd step)
  const int a = m.conv(m.input(), 3, 16, 1, 1, 0, true);
  const int b = m.deconv(a, 16, 8, 4, 2, 1, true);
  const Graph g = m.graph({m.conv(b, 8, 4, 1, 1, 0, false)});
  const Tensor x = m.random_input({1, 3, 11, 14});
  OneDnnTuning on, off;
  on.deconv_winograd_before_avx512 = off.deconv_winograd_before_avx512 = false;  // phases, not the Winograd deconv
  off.nhwc_before_avx512 = false;
  for (bool nhwc : {true, false}) {
    auto exec = make_onednn_executor(g, two_threads(), nhwc ? on : off);
    expect_matches_reference(g, x, nhwc ? "nhwc" : "oneDNN's layout", exec.get());
    EXPECT_EQ(exec->profile().at(1).impl.rfind("phases:", 0) == 0, nhwc) << exec->profile().at(1).impl;
  }
}

// Without AVX-512, FP32 k4 s2 p1 deconvs run as one Winograd conv with 4 x OC
// outputs stored pixel-shuffled (lower_deconv_winograd.cpp): channel counts
// below, at and past a vector (5 and 7 padded per phase; 5 is the folded
// TextSnake head, a graph output), an input channel tail (13), partial tiles
// (odd sizes), batch 2, no bias, ReLU, and a deconv feeding a conv.
TEST(OneDnnOps, DeconvK4S2RunsAsWinogradWithoutAvx512) {
  if (__builtin_cpu_supports("avx512f")) GTEST_SKIP() << "with AVX-512 the phase convs run brgconv";
  if (!onednn::winograd_f43_supported()) GTEST_SKIP() << "our Winograd kernel needs AVX2 + FMA";
  struct Case {
    int mb, ic, oc, ih, iw;
    bool relu, bias, then_conv;
  };
  const Case cases[] = {
      {1, 32, 5, 9, 14, false, true, false}, {2, 13, 7, 5, 6, true, true, true},  {1, 16, 16, 8, 8, true, false, false},
      {1, 64, 32, 7, 11, true, true, true},  {1, 24, 40, 3, 2, false, true, false},
  };
  for (const Case& c : cases) {
    GraphMaker m(29);
    const int x = m.conv(m.input(), 3, c.ic, 1, 1, 0, true);
    const int y = m.deconv(x, c.ic, c.oc, 4, 2, 1, c.relu, 0, 1, c.bias);
    const Graph g = m.graph({c.then_conv ? m.conv(y, c.oc, 8, 1, 1, 0, false) : y});
    std::ostringstream repro;
    repro << "wino deconv mb" << c.mb << "ic" << c.ic << "oc" << c.oc << "ih" << c.ih << "iw" << c.iw
          << (c.relu ? "_relu" : "") << (c.bias ? "_bias" : "") << (c.then_conv ? "_conv" : "");
    auto exec = make_onednn_executor(g, two_threads());
    expect_matches_reference(g, m.random_input({c.mb, 3, c.ih, c.iw}), repro.str(), exec.get());
    EXPECT_EQ(exec->profile().at(1).impl, std::string("wino_f43_deconv_nhwc:") + onednn::winograd_f43_isa())
        << repro.str();
  }
}

TEST(OneDnnOps, DeconvPhaseCopyGivesTheReordersOutputBitForBit) {
  if (!onednn::concat_channels_supported()) GTEST_SKIP() << "our pixel copy needs AVX-512 BW";
  struct Case { int mb, ic, oc, ih, iw, k, s, p; };
  const Case cases[] = {{2, 13, 7, 9, 7, 4, 2, 1}, {1, 8, 4, 6, 5, 4, 2, 1}, {1, 16, 8, 5, 6, 4, 2, 1},
                        {2, 16, 16, 4, 3, 4, 2, 1}, {1, 13, 7, 5, 7, 6, 3, 2}};
  for (const Case& c : cases) {
    GraphMaker m(19);
    const int x = m.conv(m.input(), 3, c.ic, 1, 1, 0, false);
    const int y = m.deconv(x, c.ic, c.oc, c.k, c.s, c.p, true);
    const Graph g = m.graph({y});
    const Tensor in = m.random_input({c.mb, 3, c.ih, c.iw});
    OneDnnTuning off;
    off.phase_copy_kernel = false;
    auto copy = make_onednn_executor(g, two_threads(), OneDnnTuning{});
    auto reorder = make_onednn_executor(g, two_threads(), off);
    std::ostringstream repro;
    repro << "mb" << c.mb << "ic" << c.ic << "oc" << c.oc << "ih" << c.ih << "iw" << c.iw << "k" << c.k << "s" << c.s;
    const std::vector<Tensor> got = expect_matches_reference(g, in, repro.str(), copy.get());
    EXPECT_TRUE(bitwise_equal(got.at(0), reorder->run(in).at(0))) << repro.str();
    EXPECT_NE(copy->profile().at(1).impl.find("+ copy_pixels:"), std::string::npos) << copy->profile().at(1).impl;
    EXPECT_EQ(reorder->profile().at(1).impl.find("copy_pixels"), std::string::npos) << reorder->profile().at(1).impl;
  }
}

TEST(OneDnnOps, MaxPoolMatchesReference) {
  struct PoolCase { int c, h, w, k, s, p; };
  const PoolCase cases[] = {{17, 13, 11, 3, 2, 1}, {16, 12, 12, 3, 2, 1}, {3, 9, 8, 2, 2, 0}, {32, 7, 9, 3, 1, 1}};
  for (const PoolCase& c : cases) {
    GraphMaker m(3);
    // Negative inputs everywhere would expose a padded cell that wins the max.
    const int x = m.conv(m.input(), c.c, c.c, 1, 1, 0, false);
    const int y = m.max_pool(x, c.k, c.s, c.p);
    std::ostringstream repro;
    repro << "pool_max ic" << c.c << "ih" << c.h << "iw" << c.w << "kh" << c.k << "sh" << c.s << "ph" << c.p;
    expect_matches_reference(m.graph({y}), m.random_input({1, c.c, c.h, c.w}), repro.str());
  }
}

TEST(OneDnnOps, ConcatOfThreeMatchesReference) {
  GraphMaker m(5);
  const int a = m.conv(m.input(), 8, 16, 3, 1, 1, true);
  const int b = m.conv(m.input(), 8, 13, 1, 1, 0, false);
  const int c = m.conv(m.input(), 8, 32, 3, 1, 1, false);
  const int cat = m.concat({a, b, c});
  const int y = m.conv(cat, 61, 17, 3, 1, 1, true);
  expect_matches_reference(m.graph({y, cat}), m.random_input({1, 8, 11, 9}), "concat ic16+13+32 ih11iw9 -> conv oc17");
}

TEST(OneDnnOps, AddAndReluMatchReference) {
  GraphMaker m(9);
  const int a = m.conv(m.input(), 5, 13, 3, 1, 1, false);
  const int b = m.conv(m.input(), 5, 13, 1, 1, 0, false);
  const int s = m.add(a, b, false);
  const int r = m.relu(s);
  const int t = m.add(r, a, true);
  expect_matches_reference(m.graph({s, r, t}), m.random_input({1, 5, 7, 9}), "add/relu ic13 ih7iw9");
}

TEST(OneDnnOps, ResidualConvWithReluMatchesReference) {
  // out = relu(conv(x) + bias + residual): residual as the sum post-op, once
  // in place (the residual dies here) and once copied (it is also an output).
  GraphMaker m(13);
  const int x = m.conv(m.input(), 3, 32, 3, 1, 1, true);
  const int y = m.conv(x, 32, 16, 1, 1, 0, true);
  const int z = m.conv(y, 16, 32, 3, 1, 1, true, /*residual=*/x);
  expect_matches_reference(m.graph({z}), m.random_input({1, 3, 13, 15}), "conv_sum_relu inplace ic16oc32 ih13iw15");

  GraphMaker m2(14);
  const int x2 = m2.conv(m2.input(), 3, 17, 3, 1, 1, true);
  const int z2 = m2.conv(x2, 17, 17, 1, 1, 0, true, /*residual=*/x2);  // residual == src: cannot overwrite
  expect_matches_reference(m2.graph({z2, x2}), m2.random_input({1, 3, 9, 7}), "conv_sum_relu copy ic17oc17 ih9iw7");
}

}  // namespace
}  // namespace textq::test
