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
//
// Uses a spatial grid so each lead only tests nearby disks (exactly the same
// groups, order and sums as the all-pairs loop, see merge_disks.cpp); falls
// back to the all-pairs loop when a radius or the ratio is not finite or the
// ratio is negative.
std::vector<Disk> merge_disks(const std::vector<Disk>& disks, double overlap_thr);

// The all-pairs loop as MMOCR writes it (reference for tests).
std::vector<Disk> merge_disks_all_pairs(const std::vector<Disk>& disks, double overlap_thr);

}  // namespace textq
