// MSE observer: for each candidate T = i * bin_width (i = 1..B), the scale is
// s = T / qmax and the expected squared error is
//   sum_k h[k] * (c_k - s * min(round_half_even(c_k / s), qmax))^2,  c_k = (k + 0.5) * bin_width,
// (bin centres stand for their values; clipping and rounding both counted).
// The smallest i with the minimum error wins.
#include <cmath>
#include <limits>

#include "quant/observer.h"

namespace textq::quant {

double threshold_mse(const AbsHistogram& hist, int qmax) {
  const std::vector<double>& h = hist.bins();
  const int B = static_cast<int>(h.size());
  if (hist.total() <= 0.0) return 0.0;
  const double width = hist.bin_width();
  double best_err = std::numeric_limits<double>::infinity();
  int best_i = B;
  for (int i = 1; i <= B; ++i) {
    const double s = static_cast<double>(i) * width / qmax;
    double err = 0.0;
    for (int k = 0; k < B; ++k) {
      if (h[k] == 0.0) continue;
      const double c = (k + 0.5) * width;
      const double qv = std::fmin(std::nearbyint(c / s), static_cast<double>(qmax));
      const double d = c - s * qv;
      err += h[k] * d * d;
    }
    if (err < best_err) {
      best_err = err;
      best_i = i;
    }
  }
  return static_cast<double>(best_i) * width;
}

}  // namespace textq::quant
