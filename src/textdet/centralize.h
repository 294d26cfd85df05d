// MMOCR's `centralize`: move every skeleton point along the normal of the
// text line to the middle of the instance's centre region.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace textq {

struct PointYX {
  int32_t y, x;
};

// One skeleton point with its float32 map samples.
struct CentralizeInput {
  PointYX p;
  float cos_n, sin_n, radius;  // normalised cos, sin and raw radius at p
};

// mask: rows x cols, non-zero = inside the instance. Each point walks forward
// and backward in steps of (0.03r*cos, -0.03r*sin) (float32 products, double
// accumulation) while the truncated next position is inside the mask with
// 0 <= y < rows and 0 < x < cols (MMOCR's strict x > 0), and returns the
// truncated midpoint of the two end positions.
//
// MMOCR loops forever when a step is 0 inside the mask (radius 0, or sin=cos=0)
// and for a very long time on tiny radii. Each walk here stops after
// max_steps accepted steps (where it is); results differ from MMOCR only on
// walks longer than that. `*guard_hits` (optional) counts stopped walks.
std::vector<PointYX> centralize(const std::vector<CentralizeInput>& points, const uint8_t* mask,
                                int rows, int cols, long long max_steps,
                                long long* guard_hits = nullptr);

// A window of a rows x cols mask: `data` holds the window's pixels (row
// stride `stride`) at frame position (x0, y0); every mask pixel outside the
// window is zero. Point coordinates stay in the frame.
struct MaskWindow {
  const uint8_t* data;
  int x0, y0, width, height;
  size_t stride;
};

// Same walk and results as above, reading the mask through a window (the
// decoder keeps only the instance's bounding box).
std::vector<PointYX> centralize(const std::vector<CentralizeInput>& points, const MaskWindow& mask,
                                int rows, int cols, long long max_steps,
                                long long* guard_hits = nullptr);

}  // namespace textq
