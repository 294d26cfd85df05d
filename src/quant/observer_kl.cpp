// KL-divergence observer (the textbook TensorRT / ncnn search, our code).
// For each candidate i in [L, B] (B bins, L = quant levels):
//   P = h[0:i], with the outliers sum(h[i:]) added to P[i-1];
//   Q = h[0:i] (unclipped) merged into L groups, group j covering bins
//       [floor(j*i/L), floor((j+1)*i/L)), each group's mass spread evenly over
//       its bins where P != 0 (zero elsewhere), then expanded back to i bins;
//   KL(P||Q) = sum_{P[k]>0} p log(p/q) of the normalised P and Q, a q of 0
//       counting as 1e-12 (heavy penalty, never a NaN).
// The smallest i with the minimum KL wins; T = i * bin_width.
// scripts/kl_threshold_golden.py is the independent numpy version.
#include <cmath>
#include <limits>
#include <vector>

#include "quant/observer.h"

namespace textq::quant {

double threshold_kl(const AbsHistogram& hist, int quant_levels) {
  const std::vector<double>& h = hist.bins();
  const int B = static_cast<int>(h.size());
  const int L = quant_levels;
  if (hist.total() <= 0.0) return 0.0;
  if (B <= L) return hist.range();
  std::vector<double> suffix(static_cast<size_t>(B) + 1, 0.0);  // suffix[i] = sum h[i:]
  for (int k = B - 1; k >= 0; --k) suffix[k] = suffix[k + 1] + h[k];

  std::vector<double> p(static_cast<size_t>(B)), q(static_cast<size_t>(B));
  double best_kl = std::numeric_limits<double>::infinity();
  int best_i = B;
  for (int i = L; i <= B; ++i) {
    for (int k = 0; k < i; ++k) p[k] = h[k];
    p[i - 1] += suffix[i];
    for (int j = 0; j < L; ++j) {
      const int s = static_cast<int>(static_cast<int64_t>(j) * i / L);
      const int e = static_cast<int>(static_cast<int64_t>(j + 1) * i / L);
      double mass = 0.0;
      int nonzero = 0;
      for (int k = s; k < e; ++k) {
        mass += h[k];
        if (p[k] != 0.0) ++nonzero;
      }
      for (int k = s; k < e; ++k) q[k] = (p[k] != 0.0 && nonzero > 0) ? mass / nonzero : 0.0;
    }
    double sp = 0.0, sq = 0.0;
    for (int k = 0; k < i; ++k) {
      sp += p[k];
      sq += q[k];
    }
    if (sq <= 0.0) continue;
    double kl = 0.0;
    for (int k = 0; k < i; ++k) {
      if (p[k] == 0.0) continue;
      const double pk = p[k] / sp;
      double qk = q[k] / sq;
      if (qk == 0.0) qk = 1e-12;
      kl += pk * std::log(pk / qk);
    }
    if (kl < best_kl) {
      best_kl = kl;
      best_i = i;
    }
  }
  return static_cast<double>(best_i) * hist.bin_width();
}

}  // namespace textq::quant
