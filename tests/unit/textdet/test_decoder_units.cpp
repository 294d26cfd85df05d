// Hand-checked edge cases of the decoder pieces: the centralise walk (strict
// x > 0, radius-0 guard), merge order/NaN rules, argument checks and drawing.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "textdet/centralize.h"
#include "textdet/draw.h"
#include "textdet/merge_disks.h"
#include "textdet/numpy_compat.h"
#include "textdet/textsnake_decoder.h"
#include "textq/error.h"

namespace textq {
namespace {

TEST(Centralize, WalksToTheMiddleWithStrictXGreaterThanZero) {
  const int rows = 20, cols = 20;
  std::vector<uint8_t> mask(rows * cols, 1);
  // sin = 1, cos = 0: step (dy, dx) = (0, -0.3); forward stops at x = 1 because
  // trunc(0.7) = 0 fails x > 0, backward reaches 19.9; midpoint 10.45 -> 10.
  const auto c = centralize({{{5, 1}, 0.0f, 1.0f, 10.0f}}, mask.data(), rows, cols, 100000);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].y, 5);
  EXPECT_EQ(c[0].x, 10);
  // sin = 0, cos = 1: y may reach -0.x (trunc 0 is a valid row): from row 1,
  // backward steps 1 -> 0.7 -> 0.4 -> 0.1 -> -0.2 (accepted) -> -0.5 (accepted).
  const auto d = centralize({{{1, 7}, 1.0f, 0.0f, 10.0f}}, mask.data(), rows, cols, 100000);
  EXPECT_EQ(d[0].x, 7);
  EXPECT_EQ(d[0].y, 9);  // (19.9 + -0.8) / 2 = 9.55
}

TEST(Centralize, RadiusZeroGuardTerminates) {
  const int rows = 8, cols = 8;
  std::vector<uint8_t> mask(rows * cols, 1);
  long long hits = 0;
  const auto t0 = std::chrono::steady_clock::now();
  // MMOCR never returns from this (step 0 inside the mask).
  const auto c = centralize({{{3, 4}, 1.0f, 0.0f, 0.0f}, {{2, 2}, 0.0f, 0.0f, 5.0f}}, mask.data(),
                            rows, cols, 1000, &hits);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  EXPECT_EQ(hits, 4);  // both walks of both points
  EXPECT_EQ(c[0].y, 3);
  EXPECT_EQ(c[0].x, 4);
  // a tiny radius walks (0.03 * 1e-6 px per step) until the guard stops it
  hits = 0;
  centralize({{{3, 4}, 1.0f, 0.0f, 1e-6f}}, mask.data(), rows, cols, 5000, &hits);
  EXPECT_EQ(hits, 2);
}

TEST(Decoder, RadiusZeroMapTerminatesWithGuard) {
  const int h = 64, w = 64;
  std::vector<float> maps(5 * h * w, 0.0f);
  float* text = maps.data();
  float* centre = text + h * w;
  float* cosm = text + 3 * h * w;
  for (int i = 0; i < h * w; ++i) text[i] = centre[i] = -10.0f, cosm[i] = 1.0f;
  for (int y = 20; y < 40; ++y)
    for (int x = 8; x < 56; ++x) text[y * w + x] = centre[y * w + x] = 10.0f;
  DecoderParams p;
  p.max_centralize_steps = 2000;
  DecodeStats st;
  const auto out = decode_textsnake(maps.data(), h, w, p, &st);
  EXPECT_GT(st.centralize_guard_hits, 0);
  EXPECT_TRUE(out.empty());  // radius 0 disks are not drawn (r > 1 rule)
}

TEST(Decoder, StraightBarGivesOneInstance) {
  const int h = 64, w = 96;
  std::vector<float> maps(5 * h * w, 0.0f);
  float* text = maps.data();
  float* centre = text + h * w;
  float* cosm = text + 3 * h * w;
  float* rad = text + 4 * h * w;
  for (int i = 0; i < h * w; ++i) text[i] = centre[i] = -8.0f, cosm[i] = 2.0f, rad[i] = 8.0f;
  for (int y = 24; y < 40; ++y)
    for (int x = 10; x < 86; ++x) text[y * w + x] = 8.0f;
  for (int y = 30; y < 34; ++y)
    for (int x = 16; x < 80; ++x) centre[y * w + x] = 8.0f;
  const auto out = decode_textsnake(maps.data(), h, w, DecoderParams{});
  ASSERT_EQ(out.size(), 1u);
  double minx = 1e9, maxx = -1e9, miny = 1e9, maxy = -1e9;
  for (size_t i = 0; i < out[0].polygon.size(); i += 2) {
    minx = std::min(minx, out[0].polygon[i]), maxx = std::max(maxx, out[0].polygon[i]);
    miny = std::min(miny, out[0].polygon[i + 1]), maxy = std::max(maxy, out[0].polygon[i + 1]);
  }
  // disks of radius int(8 * 1.03) = 8 along the centre line (y ~ 31..32)
  EXPECT_NEAR(miny, 24, 2);
  EXPECT_NEAR(maxy, 40, 2);
  EXPECT_LT(minx, 16);
  EXPECT_GT(maxx, 79);
  EXPECT_GT(out[0].score, 0.9);
  EXPECT_LT(out[0].score, 1.0);
}

TEST(Decoder, RejectsBadSizes) {
  std::vector<float> maps(5 * 4, 0.0f);
  EXPECT_THROW(decode_textsnake(nullptr, 2, 2, DecoderParams{}), Error);
  EXPECT_THROW(decode_textsnake(maps.data(), 0, 2, DecoderParams{}), Error);
  EXPECT_THROW(decode_textsnake(maps.data(), 2, -1, DecoderParams{}), Error);
  EXPECT_TRUE(decode_textsnake(maps.data(), 2, 2, DecoderParams{}).empty());
}

TEST(MergeDisks, EqualScoresFollowReversedNumpyOrder) {
  // argsort([s, s, s]) = [0, 1, 2]; reversed: disk 2 leads.
  const auto m = merge_disks({{0, 0, 2, 0.5}, {100, 0, 2, 0.5}, {200, 0, 2, 0.5}}, 0.03);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].x, 200);
  EXPECT_EQ(m[1].x, 100);
  EXPECT_EQ(m[2].x, 0);
}

TEST(MergeDisks, MeansGroupsAndHonoursNegativeAndNanRadii) {
  // 0.1 px apart, radii 10: threshold 0.6 -> one group, component-wise mean
  auto m = merge_disks({{10, 10, 10, 0.9}, {10.1, 10, 10, 0.8}, {50, 50, 10, 0.1}}, 0.03);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_DOUBLE_EQ(m[0].x, (10 + 10.1) / 2);
  EXPECT_DOUBLE_EQ(m[0].score, (0.9 + 0.8) / 2);
  // negative radii: negative threshold, even identical centres stay apart
  m = merge_disks({{5, 5, -3, 0.9}, {5, 5, -3, 0.8}}, 0.03);
  EXPECT_EQ(m.size(), 2u);
  // NaN radius on the leading disk: every comparison is false -> the others vanish
  const double nan = std::numeric_limits<double>::quiet_NaN();
  m = merge_disks({{5, 5, nan, 0.9}, {50, 5, 3, 0.8}, {90, 5, 3, 0.7}}, 0.03);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].x, 5);
}

TEST(NumpyCompat, SmallArgsortAndSumCases) {
  EXPECT_EQ(numpy_argsort_f64({}), std::vector<int64_t>{});
  EXPECT_EQ(numpy_argsort_f64({3.0, 1.0, 2.0}), (std::vector<int64_t>{1, 2, 0}));
  const float a[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(numpy_sum_f32(a, 9), 45.0f);
  EXPECT_EQ(numpy_sum_f32(a, 0), 0.0f);
}

TEST(Draw, DrawsOutlineAndSkipsBadPolygons) {
  cv::Mat img = cv::Mat::zeros(60, 80, CV_8UC3);
  std::vector<TextInstance> inst = {{{10, 20, 70, 20, 70, 50, 10, 50}, 0.953},
                                    {{std::nan(""), 1, 2, 3, 4, 5}, 0.5},
                                    {{1e300, 1, 2, 3, 4, 5}, 0.5}};
  draw_instances(img, inst, cv::Scalar(0, 255, 0));
  EXPECT_GT(img.at<cv::Vec3b>(50, 40)[1], 100);  // bottom edge drawn in green
  EXPECT_EQ(img.at<cv::Vec3b>(35, 40), cv::Vec3b(0, 0, 0));  // interior untouched
  cv::Mat grey(10, 10, CV_8UC1);
  EXPECT_THROW(draw_instances(grey, inst, cv::Scalar(0, 255, 0)), Error);
}

}  // namespace
}  // namespace textq
