#include "quant/weight_quant.h"

#include <cfloat>
#include <cmath>
#include <string>

#include "textq/error.h"

namespace textq::quant {
namespace {

constexpr float kDeadChannelMaxAbs = 1e-30f;

// Calls fn(flat_index) for every weight element of output channel oc.
template <class Fn>
void for_each_oc_element(const Node& n, int64_t oc, Fn fn) {
  const Tensor& w = n.weight;
  const int64_t k = w.dim(2) * w.dim(3);
  if (n.op == OpKind::Conv) {
    const int64_t per = w.dim(1) * k;
    for (int64_t i = 0; i < per; ++i) fn(oc * per + i);
  } else {  // [IC, OCg, KH, KW]: channel oc = g*OCg + j gathers W[g*ICg .. (g+1)*ICg-1, j]
    const int64_t ocg = w.dim(1), icg = w.dim(0) / n.window.groups, g = oc / ocg, j = oc % ocg;
    for (int64_t ic = g * icg; ic < (g + 1) * icg; ++ic)
      for (int64_t i = 0; i < k; ++i) fn((ic * ocg + j) * k + i);
  }
}

}  // namespace

QuantizedWeight quantize_weight_per_oc(const Node& n) {
  if ((n.op != OpKind::Conv && n.op != OpKind::ConvTranspose) || n.weight.dtype() != DType::f32 || n.weight.rank() != 4)
    throw Error(ErrorKind::InvalidArgument, "node " + n.name + ": only f32 Conv/ConvTranspose weights can be quantized");
  const int64_t oc_count = n.out_channels();
  const float* w = n.weight.data<float>();
  QuantizedWeight out;
  out.weight = Tensor(DType::i8, n.weight.shape());
  int8_t* q = out.weight.data<int8_t>();
  out.scales.resize(static_cast<size_t>(oc_count));
  for (int64_t oc = 0; oc < oc_count; ++oc) {
    float amax = 0.f;
    bool finite = true;
    for_each_oc_element(n, oc, [&](int64_t i) {
      finite = finite && std::isfinite(w[i]);
      amax = std::fmax(amax, std::fabs(w[i]));
    });
    if (!finite)
      throw Error(ErrorKind::InvalidArgument, "node " + n.name + ": output channel " + std::to_string(oc) +
                                                  " has a non-finite weight; cannot quantize");
    // A dead channel (trained to ~0, e.g. max |w| ~1e-34 in PP-OCRv4) would
    // need a scale whose product with any activation scale underflows to a
    // subnormal: quantize it as exactly zero (its contribution is < 1e-30 * sum |x|).
    const bool dead = amax < kDeadChannelMaxAbs;
    float scale = dead ? 1.f : amax / 127.f;
    if (!(scale >= FLT_MIN && std::isfinite(scale)))
      throw Error(ErrorKind::InvalidArgument, "node " + n.name + ": output channel " + std::to_string(oc) +
                                                  " weight scale " + std::to_string(scale) +
                                                  " is not a positive normal float (max |w| = " + std::to_string(amax) +
                                                  "); keep the layer FP32 with --fp32-layers " + n.name);
    out.scales[static_cast<size_t>(oc)] = scale;
    for_each_oc_element(n, oc, [&](int64_t i) {
      float r = dead ? 0.f : std::nearbyint(w[i] / scale);
      r = r < -127.f ? -127.f : (r > 127.f ? 127.f : r);
      q[i] = static_cast<int8_t>(r);
    });
  }
  return out;
}

}  // namespace textq::quant
