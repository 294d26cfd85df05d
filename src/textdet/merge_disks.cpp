#include "textdet/merge_disks.h"

#include <cmath>
#include <cstdint>

#include "textdet/numpy_compat.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace textq {

std::vector<Disk> merge_disks(const std::vector<Disk>& disks, double overlap_thr) {
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

}  // namespace textq
