// How a Conv/ConvTranspose node maps onto a oneDNN 2.6 convolution: data
// types, output scales and the bias, for FP32 and INT8 (quant.enabled) nodes
// alike (docs/quantization.md §3). oneDNN 2.6 computes
//   dst = round_saturate(oscale[oc] * (acc + bias[oc]) [+ sum] , then eltwise)
// so an INT8 node passes bias / m[oc] and oscale m[oc] / dst_scale (m[oc] for
// an f32 dst), with m[oc] = src_scale * weight_scales[oc] rounded to f32.
#pragma once

#include <vector>

#include "backends/onednn/int8_kernel.h"
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

// 128 * the sum of each output channel's s8 weights [OC, ...]: what an s8
// source shifted by +128 adds to each sum in our vpdpbusd kernels (which
// multiply u8 by s8), taken off again before the epilogue.
std::vector<int32_t> s8_shift_compensation(const Tensor& weight);

// What a step running one of our INT8 kernels keeps for its epilogue.
struct Int8KernelParams {
  Int8Type src_type = Int8Type::u8, dst_type = Int8Type::u8;
  bool relu = false;
  std::vector<int32_t> comp;  // empty for a u8 src
  std::vector<float> oscale;
  Tensor bias;                // may be empty
  Int8Epilogue epilogue() const {
    return {comp.empty() ? nullptr : comp.data(), oscale.data(), bias.empty() ? nullptr : bias.data<float>(), relu,
            dst_type};
  }
};
// For INT8 conv node n with parameters cq (ReLU the only activation the kernels take).
Int8KernelParams int8_kernel_params(const Node& n, const ConvQuant& cq);

// The convolution attribute: per-OC output scales (INT8 only) and `ops`.
dnnl::primitive_attr conv_attr(const ConvQuant& q, const dnnl::post_ops& ops);

// The same layout (strides, blocking) with another data type.
memory::desc retype(const memory::desc& md, Dt dt);

}  // namespace textq::onednn
