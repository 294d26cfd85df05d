// Reference kernels vs naive double-precision formulas written here, on
// awkward shapes (odd sizes, channels not multiple of 8, stride 2, groups,
// dilation, asymmetric pads, deconv k4 s2 p1, maxpool padding).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "ops/ops_ref.h"
#include "textq/error.h"

namespace textq {
namespace {

Tensor random_tensor(const Shape& shape, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  Tensor t(DType::f32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = dist(rng);
  return t;
}

Window2d make_window(int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, int dh = 1, int dw = 1, int g = 1) {
  Window2d w;
  w.kernel_h = kh; w.kernel_w = kw; w.stride_h = sh; w.stride_w = sw;
  w.pad_top = pt; w.pad_left = pl; w.pad_bottom = pb; w.pad_right = pr;
  w.dilation_h = dh; w.dilation_w = dw; w.groups = g;
  return w;
}

double act(double v, Activation a) { return a == Activation::Relu ? std::max(v, 0.0) : v; }

// Direct definition: every output element sums its own taps.
Tensor naive_conv(const Tensor& x, const Tensor& wt, const Tensor& b, const Window2d& w, const Tensor* res, Activation a) {
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), OC = wt.dim(0), ICg = wt.dim(1);
  const int64_t OH = (H + w.pad_top + w.pad_bottom - w.dilation_h * (w.kernel_h - 1) - 1) / w.stride_h + 1;
  const int64_t OW = (W + w.pad_left + w.pad_right - w.dilation_w * (w.kernel_w - 1) - 1) / w.stride_w + 1;
  Tensor y(DType::f32, {N, OC, OH, OW});
  const int64_t OCg = OC / w.groups;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oc = 0; oc < OC; ++oc)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          double s = b.empty() ? 0.0 : b.data<float>()[oc];
          const int64_t g = oc / OCg;
          for (int64_t ic = 0; ic < ICg; ++ic)
            for (int ky = 0; ky < w.kernel_h; ++ky)
              for (int kx = 0; kx < w.kernel_w; ++kx) {
                const int64_t iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
                const int64_t ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                s += double(x.data<float>()[((n * C + g * ICg + ic) * H + iy) * W + ix]) *
                     wt.data<float>()[((oc * ICg + ic) * w.kernel_h + ky) * w.kernel_w + kx];
              }
          const int64_t o = ((n * OC + oc) * OH + oy) * OW + ox;
          if (res) s += res->data<float>()[o];
          y.data<float>()[o] = static_cast<float>(act(s, a));
        }
  return y;
}

// Direct definition of the transposed conv: gather, for each output element,
// all (input, tap) pairs that land on it.
Tensor naive_deconv(const Tensor& x, const Tensor& wt, const Tensor& b, const Window2d& w, const Tensor* res, Activation a) {
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), OCg = wt.dim(1);
  const int64_t OC = OCg * w.groups, ICg = C / w.groups;
  const int64_t OH = (H - 1) * w.stride_h - w.pad_top - w.pad_bottom + w.dilation_h * (w.kernel_h - 1) + w.output_padding_h + 1;
  const int64_t OW = (W - 1) * w.stride_w - w.pad_left - w.pad_right + w.dilation_w * (w.kernel_w - 1) + w.output_padding_w + 1;
  Tensor y(DType::f32, {N, OC, OH, OW});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oc = 0; oc < OC; ++oc)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          double s = b.empty() ? 0.0 : b.data<float>()[oc];
          const int64_t g = oc / OCg;
          for (int64_t ic = g * ICg; ic < (g + 1) * ICg; ++ic)
            for (int ky = 0; ky < w.kernel_h; ++ky)
              for (int kx = 0; kx < w.kernel_w; ++kx) {
                const int64_t ny = oy + w.pad_top - ky * w.dilation_h, nx = ox + w.pad_left - kx * w.dilation_w;
                if (ny % w.stride_h || nx % w.stride_w) continue;
                const int64_t iy = ny / w.stride_h, ix = nx / w.stride_w;
                if (ny < 0 || nx < 0 || iy >= H || ix >= W) continue;
                s += double(x.data<float>()[((n * C + ic) * H + iy) * W + ix]) *
                     wt.data<float>()[((ic * OCg + oc % OCg) * w.kernel_h + ky) * w.kernel_w + kx];
              }
          const int64_t o = ((n * OC + oc) * OH + oy) * OW + ox;
          if (res) s += res->data<float>()[o];
          y.data<float>()[o] = static_cast<float>(act(s, a));
        }
  return y;
}

void expect_close(const Tensor& got, const Tensor& want, double tol, const std::string& what) {
  ASSERT_EQ(shape_str(got.shape()), shape_str(want.shape())) << what;
  double max_err = 0;
  for (int64_t i = 0; i < got.numel(); ++i)
    max_err = std::max(max_err, std::abs(double(got.data<float>()[i]) - want.data<float>()[i]));
  EXPECT_LE(max_err, tol) << what << ": max abs error " << max_err;
}

struct ConvCase {
  const char* name;
  Shape x;      // N, C, H, W
  int64_t oc;
  Window2d w;
  bool bias, residual;
  Activation act;
};

TEST(Conv2dRef, MatchesNaiveOnAwkwardShapes) {
  const ConvCase cases[] = {
      {"1x1 s1", {1, 13, 9, 7}, 11, make_window(1, 1, 1, 1, 0, 0, 0, 0), true, false, Activation::None},
      {"1x1 s2 caffe downsample", {2, 6, 9, 11}, 19, make_window(1, 1, 2, 2, 0, 0, 0, 0), false, true, Activation::Relu},
      {"3x3 p1 relu", {1, 5, 10, 13}, 9, make_window(3, 3, 1, 1, 1, 1, 1, 1), true, false, Activation::Relu},
      {"3x3 s2 p1 odd", {1, 7, 11, 9}, 17, make_window(3, 3, 2, 2, 1, 1, 1, 1), true, true, Activation::Relu},
      {"7x7 s2 p3 stem", {1, 3, 23, 19}, 10, make_window(7, 7, 2, 2, 3, 3, 3, 3), false, false, Activation::Relu},
      {"5x3 asym pads s(2,1)", {1, 4, 12, 10}, 6, make_window(5, 3, 2, 1, 2, 0, 1, 2), true, false, Activation::None},
      {"3x3 dilation 2", {1, 6, 13, 12}, 5, make_window(3, 3, 1, 1, 2, 2, 2, 2, 2, 2), true, false, Activation::None},
      {"groups 3", {1, 9, 8, 7}, 12, make_window(3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 3), true, true, Activation::Relu},
      {"depthwise", {1, 10, 7, 9}, 10, make_window(3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 10), true, false, Activation::None},
      {"many channels 1x1", {1, 70, 5, 6}, 33, make_window(1, 1, 1, 1, 0, 0, 0, 0), true, true, Activation::Relu},
  };
  uint32_t seed = 1;
  for (const ConvCase& c : cases) {
    const Tensor x = random_tensor(c.x, seed++);
    const Tensor wt = random_tensor({c.oc, c.x[1] / c.w.groups, c.w.kernel_h, c.w.kernel_w}, seed++);
    const Tensor b = c.bias ? random_tensor({c.oc}, seed++) : Tensor();
    const Tensor ref0 = naive_conv(x, wt, b, c.w, nullptr, Activation::None);
    const Tensor res = random_tensor(ref0.shape(), seed++);
    const Tensor* r = c.residual ? &res : nullptr;
    expect_close(conv2d_ref(x, wt, b, c.w, r, c.act), naive_conv(x, wt, b, c.w, r, c.act), 1e-5, c.name);
  }
}

TEST(ConvTranspose2dRef, MatchesNaiveOnAwkwardShapes) {
  struct Case { const char* name; Shape x; int64_t oc; Window2d w; Activation act; bool residual; };
  Window2d k4s2p1 = make_window(4, 4, 2, 2, 1, 1, 1, 1);
  Window2d outpad = make_window(3, 3, 2, 2, 1, 1, 1, 1);
  outpad.output_padding_h = 1;
  Window2d grouped = make_window(4, 4, 2, 2, 1, 1, 1, 1, 1, 1, 2);
  const Case cases[] = {
      {"k4 s2 p1 (FPN_UNet)", {1, 13, 5, 7}, 11, k4s2p1, Activation::Relu, false},
      {"k4 s2 p1 batch 2 residual", {2, 6, 3, 4}, 9, k4s2p1, Activation::None, true},
      {"k3 s2 p1 output_padding", {1, 5, 4, 5}, 7, outpad, Activation::None, false},
      {"k3 s1 p0 dilation 2 asym", {1, 3, 5, 6}, 4, make_window(3, 3, 1, 1, 0, 1, 2, 0, 2, 2), Activation::Relu, false},
      {"k4 s2 p1 groups 2", {1, 6, 4, 3}, 10, grouped, Activation::None, false},
      {"k2 s3 (gaps)", {1, 3, 4, 4}, 5, make_window(2, 2, 3, 3, 0, 0, 0, 0), Activation::None, false},
  };
  uint32_t seed = 100;
  for (const Case& c : cases) {
    const Tensor x = random_tensor(c.x, seed++);
    const Tensor wt = random_tensor({c.x[1], c.oc / c.w.groups, c.w.kernel_h, c.w.kernel_w}, seed++);
    const Tensor b = random_tensor({c.oc}, seed++);
    const Tensor ref0 = naive_deconv(x, wt, b, c.w, nullptr, Activation::None);
    const Tensor res = random_tensor(ref0.shape(), seed++);
    const Tensor* r = c.residual ? &res : nullptr;
    expect_close(conv_transpose2d_ref(x, wt, b, c.w, r, c.act), naive_deconv(x, wt, b, c.w, r, c.act), 1e-5, c.name);
  }
}

TEST(ConvTranspose2dRef, K4S2P1DoublesTheSize) {
  const Tensor x = random_tensor({1, 3, 5, 7}, 7);
  const Tensor y = conv_transpose2d_ref(x, random_tensor({3, 2, 4, 4}, 8), Tensor(), make_window(4, 4, 2, 2, 1, 1, 1, 1),
                                        nullptr, Activation::None);
  EXPECT_EQ(shape_str(y.shape()), "[1, 2, 10, 14]");
}

TEST(MaxPool2dRef, PaddedCellsNeverWin) {
  // All-negative input: a zero-padded implementation would output 0 at the borders.
  for (const Shape& s : {Shape{1, 3, 9, 7}, Shape{2, 5, 10, 11}, Shape{1, 1, 2, 2}}) {
    const Tensor x = random_tensor(s, 11, -5.f, -1.f);
    const Window2d w = make_window(3, 3, 2, 2, 1, 1, 1, 1);
    const Tensor y = max_pool2d_ref(x, w);
    const int64_t H = s[2], W = s[3], OH = (H + 2 - 3) / 2 + 1, OW = (W + 2 - 3) / 2 + 1;  // floor mode
    ASSERT_EQ(shape_str(y.shape()), shape_str({s[0], s[1], OH, OW}));
    for (int64_t nc = 0; nc < s[0] * s[1]; ++nc)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          double m = -std::numeric_limits<double>::infinity();
          for (int64_t iy = oy * 2 - 1; iy <= oy * 2 + 1; ++iy)
            for (int64_t ix = ox * 2 - 1; ix <= ox * 2 + 1; ++ix)
              if (iy >= 0 && iy < H && ix >= 0 && ix < W) m = std::max(m, double(x.data<float>()[(nc * H + iy) * W + ix]));
          EXPECT_EQ(y.data<float>()[(nc * OH + oy) * OW + ox], static_cast<float>(m));
          EXPECT_LT(y.data<float>()[(nc * OH + oy) * OW + ox], 0.f);
        }
  }
}

TEST(MaxPool2dRef, RejectsPadLargerThanHalfKernel) {
  EXPECT_THROW(max_pool2d_ref(random_tensor({1, 1, 5, 5}, 1), make_window(2, 2, 1, 1, 2, 2, 2, 2)), Error);
}

TEST(ConcatRef, ChannelOrderAndMismatch) {
  const Tensor a = random_tensor({2, 3, 4, 5}, 1), b = random_tensor({2, 7, 4, 5}, 2);
  const Tensor y = concat_ref({&a, &b});
  ASSERT_EQ(shape_str(y.shape()), "[2, 10, 4, 5]");
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 10; ++c)
      for (int64_t i = 0; i < 20; ++i) {
        const float want = c < 3 ? a.data<float>()[(n * 3 + c) * 20 + i] : b.data<float>()[(n * 7 + c - 3) * 20 + i];
        ASSERT_EQ(y.data<float>()[(n * 10 + c) * 20 + i], want);
      }
  const Tensor c = random_tensor({2, 3, 5, 5}, 3);
  try {
    concat_ref({&a, &c});
    FAIL() << "concat of mismatched H accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 3, 5, 5]"), std::string::npos) << e.what();
  }
}

TEST(AddRelu, Elementwise) {
  const Tensor a = random_tensor({1, 3, 5, 7}, 4), b = random_tensor({1, 3, 5, 7}, 5);
  const Tensor s = add_ref(a, b, Activation::Relu), r = relu_ref(a);
  for (int64_t i = 0; i < a.numel(); ++i) {
    EXPECT_EQ(s.data<float>()[i], std::max(a.data<float>()[i] + b.data<float>()[i], 0.f));
    EXPECT_EQ(r.data<float>()[i], std::max(a.data<float>()[i], 0.f));
  }
  EXPECT_THROW(add_ref(a, random_tensor({1, 3, 5, 6}, 6), Activation::None), Error);
  Tensor n(DType::f32, {1});
  n.data<float>()[0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(relu_ref(n).data<float>()[0]));
}

TEST(Conv2dRef, RejectsBadShapes) {
  const Tensor x = random_tensor({1, 4, 5, 5}, 1);
  EXPECT_THROW(conv2d_ref(x, random_tensor({3, 5, 3, 3}, 2), Tensor(), make_window(3, 3, 1, 1, 1, 1, 1, 1), nullptr,
                          Activation::None), Error);
  EXPECT_THROW(conv2d_ref(x, random_tensor({3, 4, 3, 3}, 2), random_tensor({4}, 3), make_window(3, 3, 1, 1, 1, 1, 1, 1),
                          nullptr, Activation::None), Error);
  const Tensor bad_res = random_tensor({1, 3, 4, 4}, 4);
  EXPECT_THROW(conv2d_ref(x, random_tensor({3, 4, 3, 3}, 2), Tensor(), make_window(3, 3, 1, 1, 1, 1, 1, 1), &bad_res,
                          Activation::None), Error);
  EXPECT_THROW(conv2d_ref(x, random_tensor({3, 4, 7, 7}, 2), Tensor(), make_window(7, 7, 1, 1, 0, 0, 0, 0), nullptr,
                          Activation::None), Error);
}

}  // namespace
}  // namespace textq
