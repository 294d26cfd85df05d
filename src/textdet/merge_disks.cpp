#include "textdet/merge_disks.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "textdet/numpy_compat.h"


namespace textq {

std::vector<Disk> merge_disks_all_pairs(const std::vector<Disk>& disks, double overlap_thr) {
  std::vector<double> scores(disks.size());
  for (size_t i = 0; i < disks.size(); ++i) scores[i] = disks[i].score;
  std::vector<int64_t> asc = numpy_argsort_f64(scores);
  std::vector<int64_t> order(asc.rbegin(), asc.rend());  // scores.argsort()[::-1]

  std::vector<Disk> merged;
  std::vector<int64_t> rest;
  while (!order.empty()) {
    if (order.size() == 1) {
      merged.push_back(disks[order[0]]);
      break;
    }
    const Disk& lead = disks[order[0]];
    Disk sum = lead;
    int count = 1;
    rest.clear();
    for (size_t k = 1; k < order.size(); ++k) {
      const Disk& o = disks[order[k]];
      // numpy.linalg.norm(axis=1): sqrt of the plain sum of squares
      const double ddx = lead.x - o.x, ddy = lead.y - o.y;
      const double d = std::sqrt(ddx * ddx + ddy * ddy);
      const double thr = (lead.radius + o.radius) * overlap_thr;
      if (d <= thr) {
        sum.x += o.x;
        sum.y += o.y;
        sum.radius += o.radius;
        sum.score += o.score;
        ++count;
      } else if (d > thr) {
        rest.push_back(order[k]);
      }  // NaN: neither merged nor kept (np.where drops it on both sides)
    }
    if (count == 1) {
      merged.push_back(lead);
    } else {
      const double n = count;
      merged.push_back({sum.x / n, sum.y / n, sum.radius / n, sum.score / n});
    }
    order.swap(rest);
  }
  return merged;
}

namespace {

std::vector<int64_t> merge_order(const std::vector<Disk>& disks) {
  std::vector<double> scores(disks.size());
  for (size_t i = 0; i < disks.size(); ++i) scores[i] = disks[i].score;
  std::vector<int64_t> asc = numpy_argsort_f64(scores);
  return std::vector<int64_t>(asc.rbegin(), asc.rend());  // scores.argsort()[::-1]
}

}  // namespace

// Same result as the all-pairs loop: the remaining list is always the merge
// order minus removed disks, so "remaining order" is rank order; the lead is
// the lowest alive rank, its group is summed in rank order, the rest stay in
// rank order. With finite radii and ratio >= 0 nothing compares as NaN, so
// every other alive disk is either merged (d <= thr) or kept, and
// thr = fl(fl(r_i + r_j) * ratio) <= fl(fl(r_i + r_max) * ratio) = T_i by
// monotone rounding. The filter uses the same computed dx, dy as the test, and
// d = fl(sqrt(fl(dx^2) + fl(dy^2))) >= |dx| (1 - 2^-52) (an underflowing
// square needs |dx| < 1e-154): a disk with |dx| or |dy| > T_i (1 + 1e-9) + 1e-9
// cannot merge. Grid cells are wider than that (with margin for the rounding
// of the cell index), so the 3x3 cells around the lead hold every candidate.
std::vector<Disk> merge_disks(const std::vector<Disk>& disks, double overlap_thr) {
  const size_t n = disks.size();
  bool finite = std::isfinite(overlap_thr) && overlap_thr >= 0;
  double r_max = -HUGE_VAL, x0 = HUGE_VAL, y0 = HUGE_VAL, x1 = -HUGE_VAL, y1 = -HUGE_VAL;
  for (const Disk& d : disks) {
    finite = finite && std::isfinite(d.radius) && std::isfinite(d.x) && std::isfinite(d.y);
    r_max = std::max(r_max, d.radius);
    x0 = std::min(x0, d.x), x1 = std::max(x1, d.x);
    y0 = std::min(y0, d.y), y1 = std::max(y1, d.y);
  }
  if (!finite || n < 64) return merge_disks_all_pairs(disks, overlap_thr);
  const double t_max = (r_max + r_max) * overlap_thr * (1 + 1e-9) + 1e-9;
  // cells of side >= t_max (and >= 1 px), at most ~4n of them
  double cell = std::max(1.0, t_max) * (1 + 1e-6);
  cell = std::max(cell, std::sqrt((x1 - x0 + 1) * (y1 - y0 + 1) / (4.0 * n)));
  const int gw = static_cast<int>((x1 - x0) / cell) + 1, gh = static_cast<int>((y1 - y0) / cell) + 1;
  auto cell_of = [&](const Disk& d, int* cx, int* cy) {
    *cx = std::min(gw - 1, static_cast<int>((d.x - x0) / cell));
    *cy = std::min(gh - 1, static_cast<int>((d.y - y0) / cell));
  };

  const std::vector<int64_t> order = merge_order(disks);
  std::vector<std::vector<int64_t>> grid(static_cast<size_t>(gw) * gh);  // ranks per cell
  for (size_t k = 0; k < n; ++k) {
    int cx, cy;
    cell_of(disks[order[k]], &cx, &cy);
    grid[static_cast<size_t>(cy) * gw + cx].push_back(static_cast<int64_t>(k));
  }
  std::vector<uint8_t> alive(n, 1);
  std::vector<int64_t> group;
  std::vector<Disk> merged;
  for (size_t lead_rank = 0; lead_rank < n; ++lead_rank) {
    if (!alive[lead_rank]) continue;
    alive[lead_rank] = 0;
    const Disk& lead = disks[order[lead_rank]];
    const double t_i = (lead.radius + r_max) * overlap_thr * (1 + 1e-9) + 1e-9;
    int cx, cy;
    cell_of(lead, &cx, &cy);
    group.clear();
    for (int gy = std::max(0, cy - 1); gy <= std::min(gh - 1, cy + 1); ++gy) {
      for (int gx = std::max(0, cx - 1); gx <= std::min(gw - 1, cx + 1); ++gx) {
        for (int64_t k : grid[static_cast<size_t>(gy) * gw + gx]) {
          if (!alive[k]) continue;
          const Disk& o = disks[order[k]];
          const double ddx = lead.x - o.x, ddy = lead.y - o.y;
          if (std::fabs(ddx) > t_i || std::fabs(ddy) > t_i) continue;
          const double d = std::sqrt(ddx * ddx + ddy * ddy);
          const double thr = (lead.radius + o.radius) * overlap_thr;
          if (d <= thr) group.push_back(k);
        }
      }
    }
    if (group.empty()) {
      merged.push_back(lead);
      continue;
    }
    std::sort(group.begin(), group.end());  // the all-pairs loop sums in rank order
    Disk sum = lead;
    for (int64_t k : group) {
      const Disk& o = disks[order[k]];
      sum.x += o.x;
      sum.y += o.y;
      sum.radius += o.radius;
      sum.score += o.score;
      alive[k] = 0;
    }
    const double cnt = static_cast<double>(group.size() + 1);
    merged.push_back({sum.x / cnt, sum.y / cnt, sum.radius / cnt, sum.score / cnt});
  }
  return merged;
}

}  // namespace textq
