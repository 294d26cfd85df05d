#include "textdet/centralize.h"

#include <cmath>


namespace textq {
namespace {

// numpy's float->int32 cast of the next position, followed by MMOCR's bounds
// test 0 <= trunc(y) < rows, 0 < trunc(x) < cols. For integer bounds these are
// y > -1, y < rows, x >= 1, x < cols on the double itself (trunc is monotone;
// NaN and +-inf fail them as they fail the truncated test), and the integer
// conversion of an in-range value is the truncation. The frame test comes
// first, as for a full-frame mask; pixels outside the window are zero by the
// window's contract.
inline bool inside(double y, double x, const MaskWindow& m, int rows, int cols) {
  if (!(y > -1.0 && y < rows && x >= 1.0 && x < cols)) return false;
  const int wy = static_cast<int>(y) - m.y0, wx = static_cast<int>(x) - m.x0;
  if (static_cast<unsigned>(wy) >= static_cast<unsigned>(m.height) ||
      static_cast<unsigned>(wx) >= static_cast<unsigned>(m.width))
    return false;
  return m.data[static_cast<size_t>(wy) * m.stride + static_cast<size_t>(wx)] != 0;
}

// Walks from (y, x) by (dy, dx) while the next position is inside; returns the
// final position. Counts a guard hit when max_steps accepted steps are reached.
void walk(double& y, double& x, double dy, double dx, const MaskWindow& mask, int rows, int cols,
          long long max_steps, long long* guard_hits) {
  for (long long n = 0;; ++n) {
    const double ny = y + dy, nx = x + dx;
    if (!inside(ny, nx, mask, rows, cols)) return;
    if (n >= max_steps) {
      if (guard_hits) ++*guard_hits;
      return;
    }
    y = ny;
    x = nx;
  }
}

}  // namespace

std::vector<PointYX> centralize(const std::vector<CentralizeInput>& points, const uint8_t* mask,
                                int rows, int cols, long long max_steps, long long* guard_hits) {
  const MaskWindow whole{mask, 0, 0, cols, rows, static_cast<size_t>(cols)};
  return centralize(points, whole, rows, cols, max_steps, guard_hits);
}

std::vector<PointYX> centralize(const std::vector<CentralizeInput>& points, const MaskWindow& mask,
                                int rows, int cols, long long max_steps, long long* guard_hits) {
  constexpr float kStepRatio = 0.03f;  // MMOCR's step_ratio, applied in float32
  std::vector<PointYX> out;
  out.reserve(points.size());
  for (const CentralizeInput& in : points) {
    // numpy: step_ratio * radius (float32), then * [cos, -sin] (float32)
    const float base = kStepRatio * in.radius;
    const float neg_sin = -in.sin_n;
    const double dy = static_cast<float>(base * in.cos_n);
    const double dx = static_cast<float>(base * neg_sin);
    double ty = in.p.y, tx = in.p.x;
    walk(ty, tx, dy, dx, mask, rows, cols, max_steps, guard_hits);
    double by = in.p.y, bx = in.p.x;
    walk(by, bx, -dy, -dx, mask, rows, cols, max_steps, guard_hits);
    // numpy: np.array((top + bot) * 0.5, dtype=np.int32) truncates toward zero
    out.push_back({static_cast<int32_t>(std::trunc((ty + by) * 0.5)),
                   static_cast<int32_t>(std::trunc((tx + bx) * 0.5))});
  }
  return out;
}

}  // namespace textq
