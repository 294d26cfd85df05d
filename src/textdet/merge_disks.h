// MMOCR's `merge_disks`: greedy grouping of overlapping centre-line disks.
#pragma once

#include <vector>

namespace textq {

struct Disk {
  double x, y, radius, score;  // MMOCR's float64 row (x, y, r, score)
};

// Visits disks by descending score (NumPy argsort, reversed, so ties follow
// NumPy's order); the leading disk absorbs every remaining disk whose centre
// distance is <= (r_i + r_j) * overlap_thr and emits their component-wise mean
// (summed in group order, then divided). Disks with distance > threshold stay;
// a disk whose comparison is NaN is dropped, as in MMOCR.
std::vector<Disk> merge_disks(const std::vector<Disk>& disks, double overlap_thr);

}  // namespace textq
