// INT8 reference kernels vs a straightforward integer formula written here
// (direct definition per output element, no shared code with src/ops): the
// integer results must match exactly, f32 outputs bit for bit (same epilogue
// operation order, documented in docs/quantization.md).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "ops/ops_int8_ref.h"
#include "textq/error.h"

namespace textq {
namespace {

Tensor random_q(DType t, const Shape& s, uint32_t seed) {
  Tensor x(t, s);
  std::mt19937 rng(seed);
  if (t == DType::u8) {
    std::uniform_int_distribution<int> d(0, 255);
    for (int64_t i = 0; i < x.numel(); ++i) x.data<uint8_t>()[i] = static_cast<uint8_t>(d(rng));
  } else {
    std::uniform_int_distribution<int> d(t == DType::i8 ? -128 : -127, 127);
    for (int64_t i = 0; i < x.numel(); ++i) x.data<int8_t>()[i] = static_cast<int8_t>(d(rng));
  }
  return x;
}

Tensor random_f(const Shape& s, uint32_t seed, float lo, float hi) {
  Tensor x(DType::f32, s);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = d(rng);
  return x;
}

int32_t qv(const Tensor& t, int64_t i) {
  return t.dtype() == DType::u8 ? t.data<uint8_t>()[i] : t.data<int8_t>()[i];
}

// Expected epilogue, written out independently of the kernel.
double expect_out(int64_t acc, float src_scale, float wscale, float bias, const float* res, Activation act,
                  DType dst, float dst_scale) {
  float y = static_cast<float>(acc) * (src_scale * wscale);
  y = y + bias;
  if (res) y = y + *res;
  if (act == Activation::Relu && y < 0.f) y = 0.f;
  if (dst == DType::f32) return y;
  double r = std::nearbyint(y / dst_scale);
  const double lo = dst == DType::u8 ? 0 : -128, hi = dst == DType::u8 ? 255 : 127;
  return r < lo ? lo : (r > hi ? hi : r);
}

struct Case {
  const char* name;
  bool transpose;
  DType src_type, dst_type;
  int64_t n, c, h, w, oc;
  int k, s, p, groups;
  bool residual;
  Activation act;
};

std::string describe(const Case& c) {
  return std::string(c.name) + (c.transpose ? " deconv" : " conv") + " n" + std::to_string(c.n) + "ic" + std::to_string(c.c) +
         "ih" + std::to_string(c.h) + "iw" + std::to_string(c.w) + "oc" + std::to_string(c.oc) + "k" + std::to_string(c.k) +
         "s" + std::to_string(c.s) + "p" + std::to_string(c.p) + "g" + std::to_string(c.groups) + " src " +
         dtype_name(c.src_type) + " dst " + dtype_name(c.dst_type);
}

void run_case(const Case& c) {
  SCOPED_TRACE(describe(c));
  Window2d win;
  win.kernel_h = win.kernel_w = c.k;
  win.stride_h = win.stride_w = c.s;
  win.pad_top = win.pad_left = win.pad_bottom = win.pad_right = c.p;
  win.groups = c.groups;
  const int64_t OH = c.transpose ? deconv_out_size(c.h, c.k, c.s, c.p, c.p, 1, 0) : conv_out_size(c.h, c.k, c.s, c.p, c.p, 1);
  const int64_t OW = c.transpose ? deconv_out_size(c.w, c.k, c.s, c.p, c.p, 1, 0) : conv_out_size(c.w, c.k, c.s, c.p, c.p, 1);
  const int64_t ICg = c.c / c.groups, OCg = c.oc / c.groups;
  const Tensor src = random_q(c.src_type, {c.n, c.c, c.h, c.w}, 11);
  Tensor wt = c.transpose ? random_q(DType::i8, {c.c, OCg, c.k, c.k}, 12) : random_q(DType::i8, {c.oc, ICg, c.k, c.k}, 12);
  for (int64_t i = 0; i < wt.numel(); ++i)
    if (wt.data<int8_t>()[i] == -128) wt.data<int8_t>()[i] = -127;  // the quantizer's weight range
  const Tensor bias = random_f({c.oc}, 13, -0.5f, 0.5f);
  const Tensor res = random_f({c.n, c.oc, OH, OW}, 14, -1.f, 1.f);
  Int8ConvParams p;
  p.src_scale = 0.0173f;
  std::mt19937 rng(15);
  std::uniform_real_distribution<float> ws(0.001f, 0.01f);
  for (int64_t o = 0; o < c.oc; ++o) p.weight_scales.push_back(ws(rng));
  p.dst_type = c.dst_type;
  p.dst_scale = 0.021f;
  const Tensor* r = c.residual ? &res : nullptr;
  const Tensor out = c.transpose ? conv_transpose2d_int8_ref(src, wt, bias, win, r, c.act, p)
                                 : conv2d_int8_ref(src, wt, bias, win, r, c.act, p);
  ASSERT_EQ(out.dtype(), c.dst_type);
  ASSERT_EQ(shape_str(out.shape()), shape_str({c.n, c.oc, OH, OW}));
  int64_t mismatches = 0, saturated = 0;
  for (int64_t n = 0; n < c.n; ++n)
    for (int64_t o = 0; o < c.oc; ++o)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          const int64_t g = o / OCg;
          int64_t acc = 0;
          for (int64_t ic = 0; ic < ICg; ++ic)
            for (int ky = 0; ky < c.k; ++ky)
              for (int kx = 0; kx < c.k; ++kx) {
                int64_t iy, ix;
                int32_t wv;
                const int64_t ci = g * ICg + ic;
                if (!c.transpose) {
                  iy = oy * c.s - c.p + ky;
                  ix = ox * c.s - c.p + kx;
                  wv = wt.data<int8_t>()[((o * ICg + ic) * c.k + ky) * c.k + kx];
                } else {  // oy = iy*s - p + ky
                  const int64_t ty = oy + c.p - ky, tx = ox + c.p - kx;
                  if (ty < 0 || tx < 0 || ty % c.s || tx % c.s) continue;
                  iy = ty / c.s;
                  ix = tx / c.s;
                  wv = wt.data<int8_t>()[((ci * OCg + o % OCg) * c.k + ky) * c.k + kx];
                }
                if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                acc += static_cast<int64_t>(wv) * qv(src, ((n * c.c + ci) * c.h + iy) * c.w + ix);
              }
          const int64_t idx = ((n * c.oc + o) * OH + oy) * OW + ox;
          const double want = expect_out(acc, p.src_scale, p.weight_scales[o], bias.data<float>()[o],
                                         r ? r->data<float>() + idx : nullptr, c.act, c.dst_type, p.dst_scale);
          const double got = c.dst_type == DType::f32 ? out.data<float>()[idx] : qv(out, idx);
          if (c.dst_type != DType::f32 && (got == 127 || got == 255 || got == -128)) ++saturated;
          if (got != want && ++mismatches <= 5) {
            ADD_FAILURE() << "at n" << n << " oc" << o << " y" << oy << " x" << ox << ": got " << got << " want " << want;
          }
        }
  EXPECT_EQ(mismatches, 0);
  if (c.dst_type != DType::f32) {
    EXPECT_LT(saturated * 2, out.numel()) << "most outputs saturated: the case tests little";
  }
}

TEST(Int8Kernels, ConvAndDeconvMatchIntegerFormula) {
  const Case cases[] = {
      {"stem-like", false, DType::i8, DType::u8, 1, 3, 13, 17, 13, 7, 2, 3, 1, false, Activation::Relu},
      {"odd 3x3", false, DType::u8, DType::u8, 2, 13, 9, 7, 17, 3, 1, 1, 1, true, Activation::Relu},
      {"1x1 s2 s8 out", false, DType::u8, DType::i8, 1, 17, 11, 9, 13, 1, 2, 0, 1, false, Activation::None},
      {"f32 dst", false, DType::i8, DType::f32, 1, 17, 5, 6, 5, 1, 1, 0, 1, false, Activation::None},
      {"f32 dst residual relu", false, DType::u8, DType::f32, 1, 13, 7, 5, 9, 3, 1, 1, 1, true, Activation::Relu},
      {"grouped", false, DType::i8, DType::i8, 1, 12, 7, 9, 8, 3, 2, 1, 4, true, Activation::None},
      {"deconv k4s2p1", true, DType::u8, DType::u8, 1, 13, 5, 7, 17, 4, 2, 1, 1, false, Activation::Relu},
      {"deconv k4s2p1 s8 f32", true, DType::i8, DType::f32, 2, 3, 4, 3, 13, 4, 2, 1, 1, true, Activation::None},
      {"deconv k3s2 grouped", true, DType::i8, DType::i8, 1, 6, 5, 4, 9, 3, 2, 0, 3, false, Activation::Relu},
  };
  for (const Case& c : cases) run_case(c);
}

TEST(Int8Kernels, QuantizeRoundsHalfToEvenAndSaturates) {
  Tensor x(DType::f32, {8});
  const float v[8] = {0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 300.f, -300.f, NAN};
  for (int i = 0; i < 8; ++i) x.data<float>()[i] = v[i];
  const Tensor s = quantize_ref(x, 1.f, DType::i8);
  const int want_s8[8] = {0, 2, 2, 0, -2, 127, -128, 0};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(s.data<int8_t>()[i], want_s8[i]) << i;
  const Tensor u = quantize_ref(x, 1.f, DType::u8);
  const int want_u8[8] = {0, 2, 2, 0, 0, 255, 0, 0};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(u.data<uint8_t>()[i], want_u8[i]) << i;
  // Requantizing a dequantized value with the same scale gives back its integer.
  const Tensor back = quantize_ref(dequantize_ref(s, 0.0371f), 0.0371f, DType::i8);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(back.data<int8_t>()[i], s.data<int8_t>()[i]);
}

TEST(Int8Kernels, RefusesBadArguments) {
  Window2d win;
  Int8ConvParams p;
  p.src_scale = 0.1f;
  p.weight_scales = {0.1f, 0.1f};
  const Tensor src = random_q(DType::u8, {1, 3, 4, 4}, 1);
  const Tensor w = random_q(DType::i8, {2, 3, 1, 1}, 2);
  EXPECT_NO_THROW(conv2d_int8_ref(src, w, Tensor(), win, nullptr, Activation::None, p));
  Int8ConvParams bad = p;
  bad.weight_scales = {0.1f};
  EXPECT_THROW(conv2d_int8_ref(src, w, Tensor(), win, nullptr, Activation::None, bad), Error);
  bad = p;
  bad.weight_scales[1] = 0.f;
  EXPECT_THROW(conv2d_int8_ref(src, w, Tensor(), win, nullptr, Activation::None, bad), Error);
  bad = p;
  bad.src_scale = NAN;
  EXPECT_THROW(conv2d_int8_ref(src, w, Tensor(), win, nullptr, Activation::None, bad), Error);
  bad = p;
  bad.dst_type = DType::u8;  // dst_scale 0
  EXPECT_THROW(conv2d_int8_ref(src, w, Tensor(), win, nullptr, Activation::None, bad), Error);
  EXPECT_THROW(conv2d_int8_ref(random_f({1, 3, 4, 4}, 3, 0, 1), w, Tensor(), win, nullptr, Activation::None, p), Error);
  EXPECT_THROW(quantize_ref(random_f({4}, 1, 0, 1), 0.f, DType::u8), Error);
}

}  // namespace
}  // namespace textq
