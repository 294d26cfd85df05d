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

// Elementwise 1 / (1 + exp(-x)) (as torch.sigmoid: exp of a float, then the division).
Tensor sigmoid_ref(const Tensor& src);

// Elementwise min(max(alpha * x + beta, 0), 1) (ONNX HardSigmoid).
Tensor hard_sigmoid_ref(const Tensor& src, float alpha, float beta);

// Elementwise x * min(max(x / 6 + 0.5, 0), 1) (ONNX HardSwish, torch hardswish).
Tensor hard_swish_ref(const Tensor& src);

// Elementwise min(max(x, lo), hi); NaN stays NaN.
Tensor clip_ref(const Tensor& src, float lo, float hi);

// a * b with b of a's shape or [N, C, 1, 1] (broadcast over H, W: the SE gate).
Tensor mul_ref(const Tensor& a, const Tensor& b);

// x * scale[c] + shift[c] (f32 product, then f32 sum); scale/shift f32 [C] or [1] (one for every channel).
Tensor affine_ref(const Tensor& src, const Tensor& scale, const Tensor& shift);

// Mean over H, W per (n, c): a double sum divided by H*W, rounded to f32 -> [N, C, 1, 1].
Tensor global_average_pool_ref(const Tensor& src);

// 2-D average pooling, floor mode; the divisor is the kernel area when
// count_include_pad, else the number of in-bounds taps. Pads at most half the kernel.
Tensor average_pool2d_ref(const Tensor& src, const Window2d& window, bool count_include_pad);

// ONNX Resize (opset 11+) on H, W with the attributes of OpAttrs (mode,
// coordinate mode, nearest rounding, scales or fixed sizes); docs/operators.md
// gives the coordinate formulas. Linear = bilinear with the input coordinate
// clamped to [0, side - 1] (onnxruntime's and PyTorch's rule).
Tensor resize_ref(const Tensor& src, const OpAttrs& attrs);

// Constant padding of H, W by the window's four pads with `value`.
Tensor pad_ref(const Tensor& src, const Window2d& window, float value);

// Applies the activation to one value (shared by every kernel).
inline float apply_activation(float x, Activation act) {
  if (act == Activation::Relu) return x < 0.f ? 0.f : x;  // NaN passes through
  return x;
}

}  // namespace textq
