// The window walk shared by the reference pooling kernels (internal to src/ops):
// PyTorch's padding rule and the in-bounds taps of one output position.
#pragma once

#include <cstdint>

#include "ops/op_checks.h"

namespace textq::pool_window {

// PyTorch refuses pad > kernel/2; with it every window keeps at least one
// in-bounds tap, so a pooled value is never made of padding alone.
inline void require_pytorch_padding(const Window2d& w, const char* op) {
  op_checks::require(2 * w.pad_top <= w.kernel_h && 2 * w.pad_bottom <= w.kernel_h &&
                         2 * w.pad_left <= w.kernel_w && 2 * w.pad_right <= w.kernel_w,
                     op, "pad must be at most half the kernel (PyTorch rule)");
}

// Calls tap(value) for every in-bounds tap of output (oy, ox) of one H x W
// plane, rows first; taps in the padding are skipped. tap returns false to
// end the walk early (max pooling stops at a NaN).
template <typename Tap>
inline void for_each_tap(const float* plane, int64_t H, int64_t W, const Window2d& w, int64_t oy, int64_t ox,
                         Tap&& tap) {
  for (int ky = 0; ky < w.kernel_h; ++ky) {
    const int64_t iy = oy * w.stride_h - w.pad_top + static_cast<int64_t>(ky) * w.dilation_h;
    if (iy < 0 || iy >= H) continue;
    for (int kx = 0; kx < w.kernel_w; ++kx) {
      const int64_t ix = ox * w.stride_w - w.pad_left + static_cast<int64_t>(kx) * w.dilation_w;
      if (ix < 0 || ix >= W) continue;
      if (!tap(plane[iy * W + ix])) return;
    }
  }
}

}  // namespace textq::pool_window
