// How a Conv/ConvTranspose node maps onto a oneDNN 2.6 convolution: data
// types, output scales and the bias, for FP32 and INT8 (quant.enabled) nodes
// alike (docs/quantization.md §3). oneDNN 2.6 computes
//   dst = round_saturate(oscale[oc] * (acc + bias[oc]) [+ sum] , then eltwise)
// so an INT8 node passes bias / m[oc] and oscale m[oc] / dst_scale (m[oc] for
// an f32 dst), with m[oc] = src_scale * weight_scales[oc] rounded to f32.
#pragma once

#include <vector>

#include "backends/onednn/onednn_common.h"
#include "ir/graph.h"

namespace textq::onednn {

struct ConvQuant {
  bool int8 = false;
  Dt src_dt = Dt::f32, wei_dt = Dt::f32, dst_dt = Dt::f32;
  float src_scale = 1.f;        // the primitive's src holds real / src_scale
  float dst_scale = 1.f;        // and its dst real / dst_scale (1 for f32)
  std::vector<float> oscales;   // per output channel; empty for FP32 nodes
  Tensor bias;                  // what oneDNN gets: bias / m (INT8) or the node's bias; may be empty
};

// Checks an INT8 node's parameters (types, positive finite scales) and
// throws Error(InvalidFile) naming the node and the field otherwise.
ConvQuant conv_quant(const Node& n);

// The convolution attribute: per-OC output scales (INT8 only) and `ops`.
dnnl::primitive_attr conv_attr(const ConvQuant& q, const dnnl::post_ops& ops);

// The same layout (strides, blocking) with another data type.
memory::desc retype(const memory::desc& md, Dt dt);

}  // namespace textq::onednn
