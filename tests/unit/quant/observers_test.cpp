// Observers on synthetic distributions with answers known in closed form.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "quant/histogram.h"
#include "quant/observer.h"
#include "textq/error.h"

namespace textq::quant {
namespace {

TEST(Observers, HistogramBinsAbsValuesAndSkipsZeros) {
  AbsHistogram h(4.0, 4);
  const float x[] = {0.f, 0.5f, -1.5f, 2.f, -3.99f, 4.f, 100.f, NAN};
  h.add(x, 8);
  EXPECT_EQ(h.bins(), (std::vector<double>{1, 1, 1, 3}));  // 4 and 100 clip into the last bin
  EXPECT_THROW(AbsHistogram(0.0, 8), Error);
  EXPECT_THROW(AbsHistogram(1.0, 0), Error);
}

TEST(Observers, MinMaxIsTheAbsMax) { EXPECT_EQ(threshold_minmax(3.25), 3.25); }

TEST(Observers, PercentileOfUniformHistogram) {
  AbsHistogram h(10.0, 1000);
  for (double& b : h.bins()) b = 1.0;
  EXPECT_NEAR(threshold_percentile(h, 50.0), 5.0, 1e-12);
  EXPECT_NEAR(threshold_percentile(h, 99.85), 9.99, 1e-12);  // 998.5 of 1000 reached in bin 998
  EXPECT_NEAR(threshold_percentile(h, 100.0), 10.0, 1e-12);
  EXPECT_THROW(threshold_percentile(h, 0.0), Error);
  EXPECT_THROW(threshold_percentile(h, 101.0), Error);
}

TEST(Observers, KlIsZeroWhenTheDataFitsTheLevels) {
  // Mass only in the first 128 of 2048 bins: keeping i = 128 bins quantizes
  // without loss (KL 0), and no smaller candidate exists.
  AbsHistogram h(2048.0, 2048);
  std::mt19937 rng(3);
  for (int k = 0; k < 128; ++k) h.bins()[k] = 1 + rng() % 100;
  EXPECT_DOUBLE_EQ(threshold_kl(h, 128), 128.0);
  // Same for u8 (256 levels).
  for (int k = 128; k < 256; ++k) h.bins()[k] = 1 + rng() % 100;
  EXPECT_DOUBLE_EQ(threshold_kl(h, 256), 256.0);
}

TEST(Observers, KlClipsARareFarOutlier) {
  // A dense block in the first 200 bins and one far outlier: clipping the
  // outlier costs less KL than spreading 128 levels over all 2048 bins.
  AbsHistogram h(1.0, 2048);
  for (int k = 0; k < 200; ++k) h.bins()[k] = 1000.0 - 4 * k;
  h.bins()[2047] = 1.0;
  const double t = threshold_kl(h, 128);
  EXPECT_GE(t, 128.0 / 2048);
  EXPECT_LE(t, 256.0 / 2048);
}

TEST(Observers, MseCoversAHeavyTopBinAndClipsARareOne) {
  // All mass in the top bin (centre 2047.5/2048): T must reach it to within
  // half a bin (2047 and 2048 bins tie at an error of (w/2)^2; the first wins).
  AbsHistogram h(1.0, 2048);
  h.bins()[2047] = 100.0;
  EXPECT_DOUBLE_EQ(threshold_mse(h, 127), 2047.0 / 2048);
  // A million values in the first 100 bins and one at the top: clipping the
  // single outlier is cheaper than a 10x coarser step for everything else.
  // (Bin centres sit half-way between levels for steps w and 2w alike, so the
  // optimum is a step of 2 bins: T = 254 bins.)
  AbsHistogram c(1.0, 2048);
  for (int k = 0; k < 100; ++k) c.bins()[k] = 10000.0;
  c.bins()[2047] = 1.0;
  const double t = threshold_mse(c, 127);
  EXPECT_GT(t, 90.0 / 2048);
  EXPECT_LE(t, 256.0 / 2048);
}

TEST(Observers, EmptyHistogramGivesZero) {
  AbsHistogram h(1.0, 16);
  EXPECT_EQ(threshold_kl(h, 8), 0.0);
  EXPECT_EQ(threshold_mse(h, 127), 0.0);
  EXPECT_EQ(threshold_percentile(h, 99.0), 0.0);
}

TEST(Observers, MethodNames) {
  for (CalibMethod m : {CalibMethod::MinMax, CalibMethod::Percentile, CalibMethod::Kl, CalibMethod::Mse})
    EXPECT_EQ(calib_method_from_name(calib_method_name(m)), m);
  EXPECT_THROW(calib_method_from_name("entropy"), Error);
}

}  // namespace
}  // namespace textq::quant
