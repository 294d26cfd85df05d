// Reference ONNX Resize (opset 11+) over H and W, nearest or bilinear.
// Per axis, with scale s (the attribute, or out/in as f32 for fixed sizes),
// the input coordinate of output index o is (f32 arithmetic, as onnxruntime):
//   half_pixel          (o + 0.5) / s - 0.5
//   pytorch_half_pixel  the same, or 0 when the output side is 1
//   align_corners       o * (in - 1) / (out - 1), or 0 when out is 1
//   asymmetric          o / s
// Nearest rounds it (round_prefer_floor / round_prefer_ceil / floor / ceil)
// and clamps the index to [0, in - 1]. Linear clamps the coordinate to
// [0, in - 1], takes x0 = floor, x1 = min(x0 + 1, in - 1), l1 = x - x0,
// l0 = 1 - l1, and computes l0h * (l0w * v00 + l1w * v01) + l1h * (l0w * v10 + l1w * v11)
// (PyTorch's upsample_bilinear2d order).
#include <cmath>
#include <vector>

#include "ops/op_checks.h"
#include "ops/ops_ref.h"

namespace textq {
namespace {

struct AxisMap {
  std::vector<int64_t> i0, i1;  // source indices (nearest: i0 only)
  std::vector<float> l0, l1;    // linear weights
};

float source_coord(int64_t o, int64_t in, int64_t out, float scale, CoordMode mode) {
  const float of = static_cast<float>(o);
  switch (mode) {
    case CoordMode::HalfPixel: return (of + 0.5f) / scale - 0.5f;
    case CoordMode::PytorchHalfPixel: return out > 1 ? (of + 0.5f) / scale - 0.5f : 0.f;
    case CoordMode::AlignCorners:
      return out == 1 ? 0.f : of * static_cast<float>(in - 1) / static_cast<float>(out - 1);
    case CoordMode::Asymmetric: return of / scale;
  }
  return 0.f;
}

int64_t round_nearest(float x, NearestRound r) {
  switch (r) {
    case NearestRound::RoundPreferFloor:
      return x == std::floor(x) + 0.5f ? static_cast<int64_t>(std::floor(x)) : static_cast<int64_t>(std::round(x));
    case NearestRound::RoundPreferCeil: return static_cast<int64_t>(std::round(x));
    case NearestRound::Floor: return static_cast<int64_t>(std::floor(x));
    case NearestRound::Ceil: return static_cast<int64_t>(std::ceil(x));
  }
  return 0;
}

AxisMap axis_map(int64_t in, int64_t out, float scale, const OpAttrs& a) {
  AxisMap m;
  for (int64_t o = 0; o < out; ++o) {
    const float x = source_coord(o, in, out, scale, a.coord_mode);
    if (a.resize_mode == ResizeMode::Nearest) {
      const int64_t i = round_nearest(x, a.nearest_round);
      m.i0.push_back(i < 0 ? 0 : (i > in - 1 ? in - 1 : i));
      continue;
    }
    const float xc = x < 0.f ? 0.f : (x > static_cast<float>(in - 1) ? static_cast<float>(in - 1) : x);
    const int64_t x0 = static_cast<int64_t>(std::floor(xc));
    m.i0.push_back(x0);
    m.i1.push_back(x0 + 1 < in ? x0 + 1 : in - 1);
    m.l1.push_back(xc - static_cast<float>(x0));
    m.l0.push_back(1.f - m.l1.back());
  }
  return m;
}

}  // namespace

Tensor resize_ref(const Tensor& src, const OpAttrs& a) {
  using op_checks::require;
  const char* op = "Resize";
  op_checks::require_nchw_f32(src, op, "src");
  require(a.scale_h > 0.f && a.scale_w > 0.f && std::isfinite(a.scale_h) && std::isfinite(a.scale_w), op,
          "scales must be positive and finite");
  const int64_t N = src.dim(0), C = src.dim(1), H = src.dim(2), W = src.dim(3);
  const int64_t OH = resize_out_size(H, a.scale_h, a.out_h), OW = resize_out_size(W, a.scale_w, a.out_w);
  require(H > 0 && W > 0 && OH > 0 && OW > 0, op, "empty input or output for " + shape_str(src.shape()));
  const float sh = a.out_h > 0 ? static_cast<float>(OH) / static_cast<float>(H) : a.scale_h;
  const float sw = a.out_w > 0 ? static_cast<float>(OW) / static_cast<float>(W) : a.scale_w;
  const AxisMap my = axis_map(H, OH, sh, a), mx = axis_map(W, OW, sw, a);
  Tensor dst(DType::f32, {N, C, OH, OW});
  const float* in = src.data<float>();
  float* out = dst.data<float>();
  const bool linear = a.resize_mode == ResizeMode::Linear;
#pragma omp parallel for
  for (int64_t nc = 0; nc < N * C; ++nc) {
    const float* ip = in + nc * H * W;
    float* o = out + nc * OH * OW;
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        if (!linear) {
          o[oy * OW + ox] = ip[my.i0[oy] * W + mx.i0[ox]];
          continue;
        }
        const float* r0 = ip + my.i0[oy] * W;
        const float* r1 = ip + my.i1[oy] * W;
        const int64_t x0 = mx.i0[ox], x1 = mx.i1[ox];
        o[oy * OW + ox] = my.l0[oy] * (mx.l0[ox] * r0[x0] + mx.l1[ox] * r0[x1]) +
                          my.l1[oy] * (mx.l0[ox] * r1[x0] + mx.l1[ox] * r1[x1]);
      }
  }
  return dst;
}

}  // namespace textq
