// Resize lowering: oneDNN's resampling primitive (f32, producer's layout;
// nearest keeps a producer's integers when fusing, plan_builder.h).
// oneDNN maps output index o of a side (in -> out) to the input coordinate
// (o + 0.5) * in / out - 0.5: nearest rounds it to the closest index,
// linear interpolates with the coordinate clamped to the edge. A node is
// lowered only when that mapping is provably the node's own:
//  - nearest: every output index of both sides picks the same input index as
//    the reference (ops/resize_ref.cpp) and no oneDNN coordinate sits near a
//    rounding tie (ONNX asymmetric/floor and half_pixel with integer upsampling
//    qualify, which is what exported detectors use);
//  - linear: half_pixel or pytorch_half_pixel (output side > 1) with the scale
//    equal to out / in.
// Anything else is refused with Error(UnsupportedModel) naming the node: the
// reference backend runs every mode.
#include <cmath>

#include "backends/onednn/plan_builder.h"

namespace textq::onednn {

namespace {

// The reference's nearest index for output o (mirrors ops/resize_ref.cpp).
int64_t reference_nearest(int64_t o, int64_t in, int64_t out, float scale, const OpAttrs& a) {
  const float of = static_cast<float>(o);
  float x = 0.f;
  switch (a.coord_mode) {
    case CoordMode::HalfPixel: x = (of + 0.5f) / scale - 0.5f; break;
    case CoordMode::PytorchHalfPixel: x = out > 1 ? (of + 0.5f) / scale - 0.5f : 0.f; break;
    case CoordMode::AlignCorners: x = out == 1 ? 0.f : of * static_cast<float>(in - 1) / static_cast<float>(out - 1); break;
    case CoordMode::Asymmetric: x = of / scale; break;
  }
  int64_t i = 0;
  switch (a.nearest_round) {
    case NearestRound::RoundPreferFloor:
      i = x == std::floor(x) + 0.5f ? static_cast<int64_t>(std::floor(x)) : static_cast<int64_t>(std::round(x));
      break;
    case NearestRound::RoundPreferCeil: i = static_cast<int64_t>(std::round(x)); break;
    case NearestRound::Floor: i = static_cast<int64_t>(std::floor(x)); break;
    case NearestRound::Ceil: i = static_cast<int64_t>(std::ceil(x)); break;
  }
  return i < 0 ? 0 : (i > in - 1 ? in - 1 : i);
}

bool nearest_matches(int64_t in, int64_t out, float scale, const OpAttrs& a) {
  for (int64_t o = 0; o < out; ++o) {
    const double x = (static_cast<double>(o) + 0.5) * static_cast<double>(in) / static_cast<double>(out) - 0.5;
    const double frac = x - std::floor(x);
    if (std::fabs(frac - 0.5) < 1e-3) return false;  // a tie: float rounding could go either way
    int64_t i = static_cast<int64_t>(std::floor(x + 0.5));
    i = i < 0 ? 0 : (i > in - 1 ? in - 1 : i);
    if (i != reference_nearest(o, in, out, scale, a)) return false;
  }
  return true;
}

bool linear_matches(int64_t in, int64_t out, float scale, const OpAttrs& a) {
  const bool half = a.coord_mode == CoordMode::HalfPixel || (a.coord_mode == CoordMode::PytorchHalfPixel && out > 1);
  const double ratio = static_cast<double>(out) / static_cast<double>(in);
  return half && std::fabs(static_cast<double>(scale) - ratio) <= 1e-6 * ratio;
}

}  // namespace

void PlanBuilder::lower_resize(size_t ni) {
  const Node& n = graph_.nodes[ni];
  const OpAttrs& a = n.attrs;
  const int in = n.inputs[0];
  const Shape& x = plan_->shapes[static_cast<size_t>(in)];
  const Shape& y = plan_->shapes[static_cast<size_t>(n.output)];
  const float sh = a.out_h > 0 ? static_cast<float>(y[2]) / static_cast<float>(x[2]) : a.scale_h;
  const float sw = a.out_w > 0 ? static_cast<float>(y[3]) / static_cast<float>(x[3]) : a.scale_w;
  const bool nearest = a.resize_mode == ResizeMode::Nearest;
  const bool ok = nearest ? nearest_matches(x[2], y[2], sh, a) && nearest_matches(x[3], y[3], sw, a)
                          : linear_matches(x[2], y[2], sh, a) && linear_matches(x[3], y[3], sw, a);
  if (!ok)
    throw Error(ErrorKind::UnsupportedModel,
                "oneDNN backend: node " + n.name + ": Resize " + resize_mode_name(a.resize_mode) + " " +
                    coord_mode_name(a.coord_mode) + (nearest ? std::string(" ") + nearest_round_name(a.nearest_round) : "") +
                    " from " + shape_str(x) + " to " + shape_str(y) +
                    " does not match oneDNN's resampling coordinates; run it with the reference backend");
  // Nearest copies values: integers (a producer quantized for the INT8 readers
  // behind this node, plan_builder.h) stay integers with their scale.
  const memory& have = plan_->values[static_cast<size_t>(in)];
  const Dt have_dt = have.get_desc().data_type();
  const bool integers = passes_integers(n) && (have_dt == Dt::s8 || have_dt == Dt::u8);
  const memory src = integers ? have : value_as(in, retype(have.get_desc(), Dt::f32));
  const memory::desc dst_any(to_dims(y), integers ? have_dt : Dt::f32, Tag::any);
  const auto alg = nearest ? dnnl::algorithm::resampling_nearest : dnnl::algorithm::resampling_linear;
  dnnl::resampling_forward::primitive_desc pd(
      dnnl::resampling_forward::desc(dnnl::prop_kind::forward_inference, alg, src.get_desc(), dst_any), ctx_.engine);
  plan_->nodes[ni].impl = pd.impl_info_str();
  memory dst = define_value(n.output, pd.dst_desc());
  if (integers) plan_->scales[static_cast<size_t>(n.output)] = plan_->scales[static_cast<size_t>(in)];
  add_step(dnnl::resampling_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
}

}  // namespace textq::onednn
