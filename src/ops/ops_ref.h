// Reference FP32 kernels: plain loops over NCHW float tensors, the oracle the
// fast backends and the quantizer are checked against. Each op follows the
// Node semantics of ir/graph.h: result = act(conv + bias + residual).
// Shapes are checked on entry; a mismatch throws Error(InvalidArgument) naming
// the op and the offending shapes (the executor adds the node name).
// Work is split over output channels with OpenMP (omp_set_num_threads or
// OMP_NUM_THREADS control the thread count).
#pragma once

#include <vector>

#include "ir/graph.h"
#include "textq/tensor.h"

namespace textq {

// src [N, C, H, W]; weight [OC, C/groups, KH, KW]; bias [OC] or empty;
// residual (optional, may be nullptr) has the output shape.
Tensor conv2d_ref(const Tensor& src, const Tensor& weight, const Tensor& bias, const Window2d& window,
                  const Tensor* residual, Activation activation);

// PyTorch ConvTranspose2d: weight [C, OC/groups, KH, KW];
// OH = (H-1)*stride - pad_top - pad_bottom + dilation*(KH-1) + output_padding + 1.
Tensor conv_transpose2d_ref(const Tensor& src, const Tensor& weight, const Tensor& bias, const Window2d& window,
                            const Tensor* residual, Activation activation);

// Floor mode; padded cells never win (they are skipped, not -inf / 0 values).
// Each pad must be at most half the (dilated) kernel, as PyTorch requires.
Tensor max_pool2d_ref(const Tensor& src, const Window2d& window);

// Channel concat (dim 1) of tensors with equal N, H, W, in the given order.
Tensor concat_ref(const std::vector<const Tensor*>& srcs);

// Elementwise a + b (same shape), then the activation.
Tensor add_ref(const Tensor& a, const Tensor& b, Activation activation);

// Elementwise max(x, 0); NaN stays NaN as in PyTorch.
Tensor relu_ref(const Tensor& src);

// Applies the activation to one value (shared by every kernel).
inline float apply_activation(float x, Activation act) {
  if (act == Activation::Relu) return x < 0.f ? 0.f : x;  // NaN passes through
  return x;
}

}  // namespace textq
