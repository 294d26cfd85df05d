// Threshold observers: each turns the statistics of one tensor (its |x|
// maximum and |x| histogram) into a clipping threshold T; the scale is then
// T / qmax (qmax = 127 for s8, 255 for u8). One file per method:
//   observer_minmax.cpp      T = max |x|
//   observer_percentile.cpp  T = upper edge of the bin holding the p-th percentile of |x| (non-zero values)
//   observer_kl.cpp          2048-bin KL-divergence search (TensorRT / ncnn method)
//   observer_mse.cpp         T minimising the expected squared quantization error
// Precise definitions in docs/quantization.md ("Calibration methods").
#pragma once

#include <string>

#include "quant/histogram.h"

namespace textq::quant {

enum class CalibMethod { MinMax, Percentile, Kl, Mse };
const char* calib_method_name(CalibMethod m);
CalibMethod calib_method_from_name(const std::string& name);  // Error(InvalidArgument) listing the choices

// Whether a method needs the histogram pass.
inline bool method_needs_histogram(CalibMethod m) { return m != CalibMethod::MinMax; }

double threshold_minmax(double abs_max);
// percentile in (0, 100].
double threshold_percentile(const AbsHistogram& hist, double percentile);
// quant_levels: number of non-negative levels, 128 for s8 (0..127), 256 for u8.
double threshold_kl(const AbsHistogram& hist, int quant_levels);
// qmax: 127 for s8, 255 for u8.
double threshold_mse(const AbsHistogram& hist, int qmax);

}  // namespace textq::quant
