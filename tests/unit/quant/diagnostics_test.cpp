// Per-channel error energy: channel assignment of strided samples, per-channel
// and channel-balanced SQNR against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "quant/diagnostics.h"

namespace textq::quant {
namespace {

// Two channels of 4 elements: channel 0 is 100 (a radius map in pixels),
// channel 1 is 1 (a logit); every element is off by 0.1.
TEST(ChannelEnergy, BalancedSqnrIsNotTheLargeChannels) {
  const std::vector<float> ref = {100, 100, 100, 100, 1, 1, 1, 1};
  std::vector<float> got(ref);
  for (float& v : got) v += 0.1f;
  ChannelEnergy e;
  e.add(ref.data(), got.data(), 8, 2, 4, 1);
  EXPECT_NEAR(e.sqnr_db(0), 60.0, 1e-3);
  EXPECT_NEAR(e.sqnr_db(1), 20.0, 1e-3);
  EXPECT_NEAR(e.balanced_sqnr_db(), 10 * std::log10(2.0 / (1e-6 + 1e-2)), 1e-3);
  const double all = sqnr_db(4 * 1e4 + 4, 8 * 0.01);
  EXPECT_GT(all, 56.0) << "one number over all elements hides the logit channel";
}

TEST(ChannelEnergy, StridedSamplesLandInTheirChannels) {
  // 3 channels x plane 5 = 15 elements, every 4th sampled: j = 0, 4, 8, 12
  // -> channels 0, 0, 1, 2. Only sample 2 (channel 1) has an error.
  std::vector<float> full(15, 2.f), got(15, 2.f);
  got[8] = 3.f;
  const std::vector<float> samples = {full[0], full[4], full[8], full[12]};
  ChannelEnergy e;
  e.add(samples.data(), got.data(), 15, 3, 5, 4);
  EXPECT_DOUBLE_EQ(e.signal[0], 8.0);
  EXPECT_DOUBLE_EQ(e.signal[1], 4.0);
  EXPECT_DOUBLE_EQ(e.signal[2], 4.0);
  EXPECT_TRUE(std::isinf(e.sqnr_db(0)) && std::isinf(e.sqnr_db(2)));
  EXPECT_NEAR(e.sqnr_db(1), 10 * std::log10(4.0), 1e-12);
  EXPECT_NEAR(e.balanced_sqnr_db(), 10 * std::log10(3.0 / 0.25), 1e-12);
}

TEST(ChannelEnergy, ExactMatchIsInfiniteAndErrorOnSilenceIsMinusInfinite) {
  const std::vector<float> ref = {1, 2, 0, 0};
  ChannelEnergy same;
  same.add(ref.data(), ref.data(), 4, 2, 2, 1);
  EXPECT_TRUE(std::isinf(same.balanced_sqnr_db()) && same.balanced_sqnr_db() > 0);
  const std::vector<float> got = {1, 2, 0, 0.5f};
  ChannelEnergy silent;
  silent.add(ref.data(), got.data(), 4, 2, 2, 1);
  EXPECT_TRUE(std::isinf(silent.balanced_sqnr_db()) && silent.balanced_sqnr_db() < 0);
}

}  // namespace
}  // namespace textq::quant
