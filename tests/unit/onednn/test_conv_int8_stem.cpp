// The INT8 stem on our own kernel (OneDnnTuning::int8_stem_kernel,
// conv_int8_stem.h): against a scalar model of oneDNN's INT8 conv arithmetic
// byte for byte over windows, strides, paddings, channel counts, widths that
// are not a multiple of the 6-pixel block, u8 / s8 in and out, with and
// without the fused max pool, at 1-3 threads; and whole graphs bit for bit
// against oneDNN's brgconv + pooling, the conv output an observer sees included.
#include <cmath>
#include <random>
#include <sstream>

#include "backends/onednn/conv_int8_stem.h"
#include "backends/onednn/conv_quant.h"
#include "int8_graph.h"

namespace textq::test {
namespace {

using onednn::StemGeometry;
using onednn::Int8Type;

struct KernelCase {
  int64_t n, ic, ih, iw, oc;
  int kh, kw, stride, pad_top, pad_left, pad_bottom, pad_right;
  bool s8_src, s8_dst, relu, bias;
  int pool_k, pool_stride, pool_pad;  // pool_k 0: no pool
};

// oneDNN 2.6's INT8 conv for one output: exact sum, (float(acc) + bias) * oscale,
// ReLU, clamp to the type's range, round to nearest even.
uint8_t requantize(int64_t acc, const float* bias, float oscale, bool relu, bool s8) {
  float f = static_cast<float>(acc);
  if (bias) f += *bias;
  f *= oscale;
  if (relu) f = std::max(f, 0.f);
  const float lo = s8 ? -128.f : 0.f, hi = s8 ? 127.f : 255.f;
  const int v = static_cast<int>(std::nearbyint(std::min(std::max(f, lo), hi)));
  return static_cast<uint8_t>(s8 ? static_cast<uint8_t>(static_cast<int8_t>(v)) : v);
}

TEST(ConvInt8Stem, KernelMatchesOneDnnArithmeticByteForByte) {
  if (!onednn::conv_int8_stem_supported()) GTEST_SKIP() << "no AVX-512 VNNI";
  const std::vector<KernelCase> cases = {
      {1, 3, 37, 45, 64, 7, 7, 2, 3, 3, 3, 3, true, false, true, true, 3, 2, 1},     // ResNet's stem + max pool
      {2, 3, 30, 31, 64, 7, 7, 2, 3, 3, 3, 3, true, false, true, true, 0, 0, 0},     // the same, unpooled, 2 images
      {1, 1, 12, 23, 128, 3, 5, 1, 1, 2, 1, 2, false, true, false, false, 0, 0, 0},  // kh != kw, u8 in, s8 out
      {1, 4, 26, 27, 64, 8, 8, 3, 2, 2, 3, 3, true, true, false, true, 0, 0, 0},     // 32 bytes per kernel row
      {2, 2, 15, 13, 64, 3, 3, 2, 0, 0, 0, 0, false, false, true, true, 2, 2, 0},    // 2x2 pool, no padding
      {1, 3, 9, 50, 192, 1, 1, 1, 0, 0, 0, 0, true, false, false, true, 1, 1, 0},    // 1x1, 1x1 "pool"
      {1, 2, 21, 17, 64, 11, 11, 1, 5, 5, 5, 5, true, false, true, false, 3, 1, 1},  // largest window, pool stride 1
  };
  for (const KernelCase& c : cases) {
    for (int threads : {1, 2, 3}) {
      std::ostringstream what;
      what << "n" << c.n << " ic" << c.ic << " " << c.ih << "x" << c.iw << " oc" << c.oc << " k" << c.kh << "x" << c.kw
           << " s" << c.stride << " pool" << c.pool_k << " threads " << threads;
      StemGeometry g;
      g.n = c.n, g.ic = c.ic, g.ih = c.ih, g.iw = c.iw, g.oc = c.oc;
      g.kh = c.kh, g.kw = c.kw, g.stride = c.stride, g.pad_top = c.pad_top, g.pad_left = c.pad_left;
      g.oh = (c.ih + c.pad_top + c.pad_bottom - c.kh) / c.stride + 1;
      g.ow = (c.iw + c.pad_left + c.pad_right - c.kw) / c.stride + 1;
      if (c.pool_k > 0) {
        g.pool = true, g.pool_k = c.pool_k, g.pool_stride = c.pool_stride, g.pool_pad = c.pool_pad;
        g.ph = (g.oh + 2 * c.pool_pad - c.pool_k) / c.pool_stride + 1;
        g.pw = (g.ow + 2 * c.pool_pad - c.pool_k) / c.pool_stride + 1;
      }
      ASSERT_TRUE(onednn::conv_int8_stem_fits(g)) << what.str();

      std::mt19937 rng(static_cast<unsigned>(c.ih * 131 + c.iw + threads));
      std::uniform_int_distribution<int> byte(0, 255), wdist(-127, 127);
      std::vector<uint8_t> src(static_cast<size_t>(c.n * c.ih * c.iw * c.ic));
      for (uint8_t& v : src) v = static_cast<uint8_t>(byte(rng));
      Tensor weight(DType::i8, {c.oc, c.ic, c.kh, c.kw});
      for (int64_t i = 0; i < weight.numel(); ++i) weight.data<int8_t>()[i] = static_cast<int8_t>(wdist(rng));
      std::vector<float> oscale(static_cast<size_t>(c.oc)), bias(static_cast<size_t>(c.oc));
      std::uniform_real_distribution<float> sdist(1e-4f, 4e-3f), bdist(-3000.f, 3000.f);
      for (size_t o = 0; o < oscale.size(); ++o) oscale[o] = sdist(rng), bias[o] = bdist(rng);

      // The conv output by the scalar model, then the pool over it.
      std::vector<uint8_t> conv(static_cast<size_t>(c.n * g.oh * g.ow * c.oc));
      for (int64_t b = 0; b < c.n; ++b)
        for (int64_t oy = 0; oy < g.oh; ++oy)
          for (int64_t ox = 0; ox < g.ow; ++ox)
            for (int64_t o = 0; o < c.oc; ++o) {
              int64_t acc = 0;
              for (int64_t ci = 0; ci < c.ic; ++ci)
                for (int ky = 0; ky < c.kh; ++ky)
                  for (int kx = 0; kx < c.kw; ++kx) {
                    const int64_t y = oy * c.stride - c.pad_top + ky, x = ox * c.stride - c.pad_left + kx;
                    if (y < 0 || y >= c.ih || x < 0 || x >= c.iw) continue;
                    const uint8_t s = src[static_cast<size_t>(((b * c.ih + y) * c.iw + x) * c.ic + ci)];
                    const int sv = c.s8_src ? static_cast<int8_t>(s) : s;
                    acc += sv * weight.data<int8_t>()[((o * c.ic + ci) * c.kh + ky) * c.kw + kx];
                  }
              conv[static_cast<size_t>(((b * g.oh + oy) * g.ow + ox) * c.oc + o)] =
                  requantize(acc, c.bias ? &bias[static_cast<size_t>(o)] : nullptr, oscale[static_cast<size_t>(o)],
                             c.relu, c.s8_dst);
            }
      std::vector<uint8_t> want = conv;
      if (g.pool) {
        want.assign(static_cast<size_t>(c.n * g.ph * g.pw * c.oc), 0);
        for (int64_t b = 0; b < c.n; ++b)
          for (int64_t py = 0; py < g.ph; ++py)
            for (int64_t px = 0; px < g.pw; ++px)
              for (int64_t o = 0; o < c.oc; ++o) {
                int m = -1;
                for (int dy = 0; dy < g.pool_k; ++dy)
                  for (int dx = 0; dx < g.pool_k; ++dx) {
                    const int64_t y = py * g.pool_stride - g.pool_pad + dy, x = px * g.pool_stride - g.pool_pad + dx;
                    if (y < 0 || y >= g.oh || x < 0 || x >= g.ow) continue;  // padding excluded
                    m = std::max<int>(m, conv[static_cast<size_t>(((b * g.oh + y) * g.ow + x) * c.oc + o)]);
                  }
                want[static_cast<size_t>(((b * g.ph + py) * g.pw + px) * c.oc + o)] = static_cast<uint8_t>(m);
              }
      }

      const Tensor packed = onednn::conv_int8_stem_weights(weight);
      ASSERT_EQ(packed.numel(), onednn::conv_int8_stem_weight_count(c.oc, c.ic, c.kh, c.kw)) << what.str();
      const std::vector<int32_t> comp = onednn::s8_shift_compensation(weight);
      std::vector<uint8_t> scratch(onednn::conv_int8_stem_scratch_bytes(g, threads) + 64);
      uint8_t* aligned = scratch.data() + (64 - reinterpret_cast<uintptr_t>(scratch.data()) % 64) % 64;
      std::vector<uint8_t> got(want.size() + 64, 0xA5);  // the tail must stay untouched
      onednn::Int8Epilogue e;
      e.comp = c.s8_src ? comp.data() : nullptr, e.oscale = oscale.data(), e.bias = c.bias ? bias.data() : nullptr;
      e.relu = c.relu, e.dst_type = c.s8_dst ? Int8Type::s8 : Int8Type::u8;
      onednn::conv_int8_stem_run(g, threads, src.data(), c.s8_src ? Int8Type::s8 : Int8Type::u8, packed.data<int8_t>(),
                                 e, got.data(), aligned);
      size_t mismatches = 0, first = want.size();
      for (size_t i = 0; i < want.size(); ++i)
        if (got[i] != want[i]) mismatches++, first = std::min(first, i);
      EXPECT_EQ(mismatches, 0u) << what.str() << ": first at byte " << first;
      for (size_t i = want.size(); i < got.size(); ++i) ASSERT_EQ(got[i], 0xA5) << what.str() << ": wrote past the end";
    }
  }
}

TEST(ConvInt8Stem, GraphsMatchOneDnnBitForBit) {
  if (!onednn::conv_int8_stem_supported()) GTEST_SKIP() << "no AVX-512 VNNI";
  // The stem + max pool of a ResNet at a small size, then an INT8 reader; and
  // the stem with a second reader (so the pool cannot be fused) or with s8 out.
  struct Case {
    bool relu, second_reader;
    int n, h, w;
  };
  for (const Case& c : {Case{true, false, 1, 64, 90}, Case{true, true, 2, 40, 52}, Case{false, false, 1, 35, 47}}) {
    std::ostringstream what;
    what << (c.relu ? "relu" : "no relu") << (c.second_reader ? ", two readers" : "") << " n" << c.n << " " << c.h
         << "x" << c.w;
    GraphMaker m(77);
    const int stem = m.conv(m.input(), 3, 64, 7, 2, 3, c.relu);
    const int pool = m.max_pool(stem, 3, 2, 1);
    const int y = m.conv(pool, 64, 16, 1, 1, 0, false);
    std::vector<int> outputs{y};
    if (c.second_reader) outputs.push_back(m.conv(stem, 64, 8, 1, 1, 0, false));
    const Graph fp32 = m.graph(outputs);
    const Tensor x = grid_input({c.n, 3, c.h, c.w}, Int8Options().input_scale, -100, 100, 9);
    const Graph g = make_int8(fp32, x, Int8Options());
    auto mine = make_onednn_executor(g, two_threads());
    OneDnnTuning off;
    off.int8_stem_kernel = false;
    auto theirs = make_onednn_executor(g, two_threads(), off);
    EXPECT_EQ(max_difference(mine->run(x), theirs->run(x)), 0.f) << what.str();
    const std::string stem_name = g.nodes[0].name, pool_name = g.nodes[1].name;
    const bool fused = c.relu && !c.second_reader;  // u8 out and the pool its only reader
    EXPECT_EQ(impl_of(*mine, stem_name),
              std::string("quantize_planes:avx512 + conv_int8_stem:avx512_vnni") + (fused ? " + max pool" : ""))
        << what.str();
    EXPECT_EQ(impl_of(*mine, pool_name).rfind("fused into", 0) == 0, fused) << what.str();
    EXPECT_EQ(impl_of(*theirs, stem_name).find("stem"), std::string::npos) << what.str();
    // An observer sees every node as given: the stem's own output, unpooled, the same on both.
    Tensor sm, st;
    NodeObserver om = [&](const Node& n, const Tensor& t) { if (n.name == stem_name) sm = t.clone(); };
    NodeObserver ot = [&](const Node& n, const Tensor& t) { if (n.name == stem_name) st = t.clone(); };
    mine->run(x, &om);
    theirs->run(x, &ot);
    ASSERT_EQ(sm.numel(), st.numel()) << what.str();
    EXPECT_EQ(max_difference({sm}, {st}), 0.f) << what.str() << " (stem output)";
  }
}

}  // namespace
}  // namespace textq::test
