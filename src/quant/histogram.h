// Histogram of |x| over [0, range] with a fixed number of equal bins, the
// input of the percentile, KL and MSE observers. Exact zeros are not counted:
// every symmetric scale represents 0 exactly (and ReLU outputs are mostly
// zeros, which would otherwise swamp bin 0).
#pragma once

#include <cstdint>
#include <vector>

namespace textq::quant {

class AbsHistogram {
 public:
  AbsHistogram() = default;
  // range > 0 and finite (else Error(InvalidArgument)); num_bins in [1, 1<<20].
  AbsHistogram(double range, int num_bins);

  // Adds |x| of data[0], data[stride], ...; values beyond range go to the last bin.
  void add(const float* data, int64_t count, int64_t stride = 1);

  double range() const { return range_; }
  int num_bins() const { return static_cast<int>(bins_.size()); }
  double bin_width() const { return range_ / static_cast<double>(bins_.size()); }
  const std::vector<double>& bins() const { return bins_; }
  std::vector<double>& bins() { return bins_; }
  double total() const;

 private:
  double range_ = 0.0;
  std::vector<double> bins_;
};

}  // namespace textq::quant
