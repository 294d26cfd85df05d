// Reference kernels of the ONNX-import ops vs values worked out by hand or
// naive double-precision formulas written here, on awkward shapes (batch 2,
// odd channel counts, odd and 1-pixel planes, asymmetric pads, downscaling).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "ops/ops_ref.h"
#include "textq/error.h"

namespace textq {
namespace {

Tensor rnd(const Shape& shape, uint32_t seed, float lo = -4.f, float hi = 4.f) {
  Tensor t(DType::f32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

Tensor vals(const Shape& shape, std::vector<float> v) {
  Tensor t(DType::f32, shape);
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

void expect_values(const Tensor& got, const std::vector<float>& want, float tol = 1e-6f) {
  ASSERT_EQ(got.numel(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got.data<float>()[i], want[i], tol) << "element " << i;
}

TEST(OnnxOpsRef, ElementwiseFormulasAndNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor x = vals({1, 1, 1, 7}, {-10.f, -3.f, -1.f, 0.f, 1.5f, 3.f, 10.f});
  expect_values(sigmoid_ref(x), {4.5397868e-05f, 0.047425874f, 0.26894142f, 0.5f, 0.81757448f, 0.95257413f, 0.9999546f});
  expect_values(hard_sigmoid_ref(x, 0.2f, 0.5f), {0.f, 0.f, 0.3f, 0.5f, 0.8f, 1.f, 1.f});
  expect_values(hard_swish_ref(x), {0.f, 0.f, -1.f / 3.f, 0.f, 1.5f * 0.75f, 3.f, 10.f});
  expect_values(clip_ref(x, -1.f, 2.f), {-1.f, -1.f, -1.f, 0.f, 1.5f, 2.f, 2.f});
  const Tensor n = vals({1, 1, 1, 1}, {nan});
  EXPECT_TRUE(std::isnan(clip_ref(n, 0.f, 6.f).data<float>()[0]));
  EXPECT_TRUE(std::isnan(hard_swish_ref(n).data<float>()[0]));
  EXPECT_THROW(clip_ref(x, 2.f, 1.f), Error);
}

TEST(OnnxOpsRef, MulBroadcastsPerChannelAndAffineAppliesPerChannel) {
  const Tensor a = rnd({2, 3, 5, 7}, 1), gate = rnd({2, 3, 1, 1}, 2), same = rnd({2, 3, 5, 7}, 3);
  const Tensor m = mul_ref(a, gate), s = mul_ref(a, same);
  for (int64_t i = 0; i < a.numel(); ++i) {
    EXPECT_EQ(m.data<float>()[i], a.data<float>()[i] * gate.data<float>()[i / 35]);
    EXPECT_EQ(s.data<float>()[i], a.data<float>()[i] * same.data<float>()[i]);
  }
  EXPECT_THROW(mul_ref(a, rnd({2, 1, 5, 7}, 4)), Error);
  const Tensor sc = vals({3}, {2.f, -1.f, 0.5f}), sh = vals({3}, {1.f, 0.f, -3.f});
  const Tensor y = affine_ref(a, sc, sh);
  for (int64_t i = 0; i < a.numel(); ++i) {
    const int64_t c = (i / 35) % 3;
    EXPECT_EQ(y.data<float>()[i], a.data<float>()[i] * sc.data<float>()[c] + sh.data<float>()[c]);
  }
  const Tensor y1 = affine_ref(a, vals({1}, {3.f}), vals({1}, {-1.f}));
  EXPECT_EQ(y1.data<float>()[100], a.data<float>()[100] * 3.f - 1.f);
  EXPECT_THROW(affine_ref(a, vals({2}, {1.f, 1.f}), vals({2}, {0.f, 0.f})), Error);
}

TEST(OnnxOpsRef, GlobalAndWindowedAveragePooling) {
  const Tensor x = rnd({2, 3, 5, 4}, 5);
  const Tensor g = global_average_pool_ref(x);
  ASSERT_EQ(g.shape(), (Shape{2, 3, 1, 1}));
  for (int64_t p = 0; p < 6; ++p) {
    double s = 0;
    for (int64_t i = 0; i < 20; ++i) s += x.data<float>()[p * 20 + i];
    EXPECT_NEAR(g.data<float>()[p], s / 20, 1e-6);
  }
  // 3x3 stride 2 pad (1, 1, 1, 0) on 5x4: naive double formula for both divisor rules.
  Window2d w = Window2d::square(3, 2, 1);
  w.pad_right = 0;
  for (bool include : {false, true}) {
    const Tensor y = average_pool2d_ref(x, w, include);
    ASSERT_EQ(y.shape(), (Shape{2, 3, 3, 2}));
    for (int64_t p = 0; p < 6; ++p)
      for (int oy = 0; oy < 3; ++oy)
        for (int ox = 0; ox < 2; ++ox) {
          double s = 0;
          int taps = 0;
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx) {
              const int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
              if (iy < 0 || iy >= 5 || ix < 0 || ix >= 4) continue;
              s += x.data<float>()[p * 20 + iy * 4 + ix], ++taps;
            }
          EXPECT_NEAR(y.data<float>()[(p * 3 + oy) * 2 + ox], s / (include ? 9 : taps), 1e-5) << include;
        }
  }
}

TEST(OnnxOpsRef, ResizeCoordinateModes) {
  const Tensor x = vals({1, 1, 2, 2}, {0.f, 1.f, 2.f, 3.f});
  OpAttrs a;
  a.scale_h = a.scale_w = 2.f;
  a.coord_mode = CoordMode::Asymmetric, a.nearest_round = NearestRound::Floor;  // PaddleOCR's upsampling
  expect_values(resize_ref(x, a), {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3});
  a.resize_mode = ResizeMode::Linear, a.coord_mode = CoordMode::HalfPixel;  // PyTorch bilinear, align_corners=False
  expect_values(resize_ref(x, a), {0.f, 0.25f, 0.75f, 1.f, 0.5f, 0.75f, 1.25f, 1.5f,
                                   1.5f, 1.75f, 2.25f, 2.5f, 2.f, 2.25f, 2.75f, 3.f});
  a.coord_mode = CoordMode::AlignCorners, a.out_h = 3, a.out_w = 3;  // fixed sizes
  expect_values(resize_ref(x, a), {0.f, 0.5f, 1.f, 1.f, 1.5f, 2.f, 2.f, 2.5f, 3.f});
  a.coord_mode = CoordMode::Asymmetric, a.out_h = a.out_w = 0;  // o / 2, clamped at the far edge
  expect_values(resize_ref(x, a), {0.f, 0.5f, 1.f, 1.f, 1.f, 1.5f, 2.f, 2.f, 2.f, 2.5f, 3.f, 3.f, 2.f, 2.5f, 3.f, 3.f});
  // Downscale 5 -> 2 nearest, half_pixel: x = (o + 0.5) * 2.5 - 0.5 = 0.75, 3.25 -> 1, 3 (round_prefer_floor).
  const Tensor r = vals({1, 1, 1, 5}, {10, 11, 12, 13, 14});
  OpAttrs d;
  d.scale_h = 1.f, d.scale_w = 0.4f;
  expect_values(resize_ref(r, d), {11, 13});
  d.nearest_round = NearestRound::Ceil;
  expect_values(resize_ref(r, d), {11, 14});
  // Ties: 0.5 -> 0 with round_prefer_floor, 1 with round_prefer_ceil (asymmetric, scale 2/3 on 3 -> 2: x = 0, 1.5).
  const Tensor t3 = vals({1, 1, 1, 3}, {5, 6, 7});
  OpAttrs e;
  e.scale_w = 2.f / 3.f, e.coord_mode = CoordMode::Asymmetric;
  expect_values(resize_ref(t3, e), {5, 6});
  e.nearest_round = NearestRound::RoundPreferCeil;
  expect_values(resize_ref(t3, e), {5, 7});
}

TEST(OnnxOpsRef, PadFillsTheBorderAndKeepsTheInterior) {
  const Tensor x = rnd({2, 3, 2, 3}, 9);
  Window2d w;
  w.pad_top = 1, w.pad_left = 0, w.pad_bottom = 2, w.pad_right = 1;
  const Tensor y = pad_ref(x, w, -7.5f);
  ASSERT_EQ(y.shape(), (Shape{2, 3, 5, 4}));
  for (int64_t p = 0; p < 6; ++p)
    for (int oy = 0; oy < 5; ++oy)
      for (int ox = 0; ox < 4; ++ox) {
        const int iy = oy - 1, ix = ox;
        const bool inside = iy >= 0 && iy < 2 && ix < 3;
        EXPECT_EQ(y.data<float>()[(p * 5 + oy) * 4 + ox], inside ? x.data<float>()[(p * 2 + iy) * 3 + ix] : -7.5f);
      }
}

}  // namespace
}  // namespace textq
