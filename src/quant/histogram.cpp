#include "quant/histogram.h"

#include <cmath>
#include <string>

#include "textq/error.h"

namespace textq::quant {

AbsHistogram::AbsHistogram(double range, int num_bins) : range_(range) {
  if (!(std::isfinite(range) && range > 0.0))
    throw Error(ErrorKind::InvalidArgument, "histogram range must be positive and finite, got " + std::to_string(range));
  if (num_bins < 1 || num_bins > (1 << 20))
    throw Error(ErrorKind::InvalidArgument, "histogram bins must be in [1, 1048576], got " + std::to_string(num_bins));
  bins_.assign(static_cast<size_t>(num_bins), 0.0);
}

void AbsHistogram::add(const float* data, int64_t count, int64_t stride) {
  const int64_t nb = static_cast<int64_t>(bins_.size());
  const double inv_width = static_cast<double>(nb) / range_;
  for (int64_t i = 0; i < count; i += stride) {
    const double v = std::fabs(static_cast<double>(data[i]));
    if (v == 0.0 || std::isnan(v)) continue;
    const double pos = v * inv_width;
    const int64_t b = pos >= static_cast<double>(nb) ? nb - 1 : static_cast<int64_t>(pos);
    bins_[static_cast<size_t>(b)] += 1.0;
  }
}

double AbsHistogram::total() const {
  double t = 0.0;
  for (double b : bins_) t += b;
  return t;
}

}  // namespace textq::quant
