// Histogram observers vs the independent numpy implementation of
// scripts/quant_observer_golden.py (golden: observer_golden.json, regenerate
// with the command in the script header). The chosen bin count must be the
// golden's argmin, or tie with it to 1e-12 relative (summation order differs).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/file_util.h"
#include "quant/observer.h"

namespace textq::quant {
namespace {

using nlohmann::json;

json load_golden() { return json::parse(read_file_text("tests/golden/quant/observer_golden.json")); }

AbsHistogram histogram_of(const json& c, double range) {
  AbsHistogram h(range, static_cast<int>(c["hist"].size()));
  for (size_t k = 0; k < c["hist"].size(); ++k) h.bins()[k] = c["hist"][k].get<double>();
  return h;
}

void expect_argmin(const char* what, const json& curve, int first_i, int golden_i, int got_i) {
  const double best = curve[golden_i - first_i].get<double>();
  ASSERT_GE(got_i, first_i);
  ASSERT_LT(got_i - first_i, static_cast<int>(curve.size()));
  const double mine = curve[got_i - first_i].get<double>();
  EXPECT_TRUE(got_i == golden_i || mine <= best * (1 + 1e-12)) << what << ": textq keeps " << got_i << " bins (golden value "
                                                               << mine << "), numpy " << golden_i << " (" << best << ")";
}

TEST(ObserverGolden, KlMatchesNumpy) {
  const json g = load_golden();
  for (const json& c : g["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const double range = c["range"].get<double>();
    const AbsHistogram h = histogram_of(c, range);
    const double t = threshold_kl(h, c["levels"].get<int>());
    const int got_i = static_cast<int>(std::lround(t / h.bin_width()));
    EXPECT_NEAR(t, got_i * h.bin_width(), 1e-9 * range);
    expect_argmin("KL", c["kl"], c["kl_first_i"].get<int>(), c["kl_best_i"].get<int>(), got_i);
  }
}

TEST(ObserverGolden, MseMatchesNumpy) {
  const json g = load_golden();
  for (const json& c : g["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const AbsHistogram h = histogram_of(c, 1.0);  // the golden works in units of the range
    const double t = threshold_mse(h, c["qmax"].get<int>());
    expect_argmin("MSE", c["mse"], 1, c["mse_best_i"].get<int>(), static_cast<int>(std::lround(t * h.num_bins())));
  }
}

TEST(ObserverGolden, PercentileMatchesNumpy) {
  const json g = load_golden();
  for (const json& c : g["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const double range = c["range"].get<double>();
    const AbsHistogram h = histogram_of(c, range);
    const double t = threshold_percentile(h, c["percentile"].get<double>());
    EXPECT_EQ(std::lround(t / h.bin_width()), c["percentile_i"].get<int>());
  }
}

}  // namespace
}  // namespace textq::quant
