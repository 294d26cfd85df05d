// Min-max observer: no clipping, T = max |x| over the calibration set.
#include <string>

#include "quant/observer.h"
#include "textq/error.h"

namespace textq::quant {

const char* calib_method_name(CalibMethod m) {
  switch (m) {
    case CalibMethod::MinMax: return "minmax";
    case CalibMethod::Percentile: return "percentile";
    case CalibMethod::Kl: return "kl";
    case CalibMethod::Mse: return "mse";
  }
  return "?";
}

CalibMethod calib_method_from_name(const std::string& name) {
  for (CalibMethod m : {CalibMethod::MinMax, CalibMethod::Percentile, CalibMethod::Kl, CalibMethod::Mse})
    if (name == calib_method_name(m)) return m;
  throw Error(ErrorKind::InvalidArgument, "unknown calibration method `" + name + "` (expected kl, minmax, percentile or mse)");
}

double threshold_minmax(double abs_max) { return abs_max; }

}  // namespace textq::quant
