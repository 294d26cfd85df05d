// Shape checks shared by the reference kernels (internal to src/ops).
#pragma once

#include <string>

#include "ir/graph.h"
#include "textq/error.h"
#include "textq/tensor.h"

namespace textq {
namespace op_checks {

inline void require(bool ok, const char* op, const std::string& rule) {
  if (!ok) throw Error(ErrorKind::InvalidArgument, std::string(op) + ": " + rule);
}

// src must be a 4-D f32 tensor.
inline void require_nchw_f32(const Tensor& t, const char* op, const char* what) {
  require(!t.empty() && t.dtype() == DType::f32 && t.rank() == 4, op,
          std::string(what) + " must be a 4-D f32 tensor, got " +
              (t.empty() ? std::string("nothing") : std::string(dtype_name(t.dtype())) + " " + shape_str(t.shape())));
}

inline void require_window(const Window2d& w, const char* op) {
  require(w.kernel_h > 0 && w.kernel_w > 0, op, "kernel must be positive");
  require(w.stride_h > 0 && w.stride_w > 0, op, "stride must be positive");
  require(w.dilation_h > 0 && w.dilation_w > 0, op, "dilation must be positive");
  require(w.pad_top >= 0 && w.pad_left >= 0 && w.pad_bottom >= 0 && w.pad_right >= 0, op, "pads must be >= 0");
  require(w.groups > 0, op, "groups must be positive");
}

inline void require_bias(const Tensor& bias, int64_t oc, const char* op) {
  if (bias.empty()) return;
  require(bias.dtype() == DType::f32 && bias.rank() == 1 && bias.dim(0) == oc, op,
          "bias must be f32 [" + std::to_string(oc) + "], got " + dtype_name(bias.dtype()) + " " + shape_str(bias.shape()));
}

inline void require_residual(const Tensor* residual, const Shape& out_shape, const char* op) {
  if (!residual) return;
  require(!residual->empty() && residual->dtype() == DType::f32 && residual->shape() == out_shape, op,
          "residual must be f32 " + shape_str(out_shape) + " (the output shape), got " +
              (residual->empty() ? std::string("nothing") : shape_str(residual->shape())));
}

}  // namespace op_checks
}  // namespace textq
