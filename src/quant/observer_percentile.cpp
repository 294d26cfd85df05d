// Percentile observer: T = upper edge of the first bin at which the
// cumulative count of non-zero |x| reaches percentile% of the total.
#include <cmath>
#include <string>

#include "quant/observer.h"
#include "textq/error.h"

namespace textq::quant {

double threshold_percentile(const AbsHistogram& hist, double percentile) {
  if (!(percentile > 0.0 && percentile <= 100.0))
    throw Error(ErrorKind::InvalidArgument, "percentile must be in (0, 100], got " + std::to_string(percentile));
  const double total = hist.total();
  if (total <= 0.0) return 0.0;
  const double target = total * (percentile / 100.0);
  double cum = 0.0;
  const std::vector<double>& b = hist.bins();
  for (size_t k = 0; k < b.size(); ++k) {
    cum += b[k];
    if (cum >= target) return static_cast<double>(k + 1) * hist.bin_width();
  }
  return hist.range();
}

}  // namespace textq::quant
