// clear_small_components: which components go (against OpenCV's own 8-connected
// labelling), and that cv::findContours then gives exactly the contours it
// gave before minus ones below the minimum area, in order.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "textdet/small_components.h"
#include "textq/error.h"

namespace textq {
namespace {

using Contours = std::vector<std::vector<cv::Point>>;

Contours external_contours(const cv::Mat& mask) {
  Contours c;
  cv::findContours(mask.clone(), c, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  return c;
}

// The mask with every component of box (w-1)(h-1) < min_area zeroed, by
// cv::connectedComponentsWithStats; also returns how many went.
cv::Mat expected_after(const cv::Mat& mask, double min_area, int* removed) {
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
  std::vector<uint8_t> keep(n, 1);
  *removed = 0;
  for (int l = 1; l < n; ++l) {
    const double area = static_cast<double>(stats.at<int>(l, cv::CC_STAT_WIDTH) - 1) *
                        (stats.at<int>(l, cv::CC_STAT_HEIGHT) - 1);
    if (area < min_area) keep[l] = 0, ++*removed;
  }
  cv::Mat out = mask.clone();
  for (int y = 0; y < mask.rows; ++y)
    for (int x = 0; x < mask.cols; ++x)
      if (!keep[labels.at<int>(y, x)]) out.at<uint8_t>(y, x) = 0;
  return out;
}

TEST(SmallComponents, ClearsBySizeOfTheBoxIncludingAtTheEdges) {
  cv::Mat m = cv::Mat::zeros(12, 70, CV_8U);
  m.at<uint8_t>(0, 0) = 1;                       // corner, alone: box 1x1
  m.at<uint8_t>(11, 69) = 1;                     // other corner, alone
  m.at<uint8_t>(3, 2) = m.at<uint8_t>(4, 3) = 1;  // diagonal pair: 2x2 box, area bound 1
  m(cv::Rect(10, 2, 7, 6)).setTo(1);             // 7x6 block: bound 6 * 5 = 30
  m(cv::Rect(20, 2, 6, 6)).setTo(1);             // 6x6 block: bound 25
  m(cv::Rect(30, 0, 40, 1)).setTo(1);            // one row of 40 (across a 64-bit word): bound 0
  // a ring of box 8x8 (bound 49) around a lone pixel in its hole
  m(cv::Rect(40, 3, 8, 8)).setTo(1);
  m(cv::Rect(41, 4, 6, 6)).setTo(0);
  m.at<uint8_t>(7, 43) = 1;
  // a diagonal staircase: 8-connected, box 9x9 (bound 64), 9 pixels only
  for (int i = 0; i < 9; ++i) m.at<uint8_t>(2 + i, 55 + i) = 1;
  int removed = 0;
  const cv::Mat want = expected_after(m, 30.0, &removed);
  cv::Mat got = m.clone();
  EXPECT_EQ(clear_small_components(got, 30.0), 6);  // two corners, the pair, 6x6, the row, the pixel in the hole
  EXPECT_EQ(removed, 6);
  EXPECT_EQ(cv::countNonZero(got != want), 0);
  EXPECT_EQ(got.at<uint8_t>(2, 10), 1) << "7x6 block reaches 30";
  EXPECT_EQ(got.at<uint8_t>(2, 55), 1) << "staircase kept by its box";
  EXPECT_EQ(got.at<uint8_t>(3, 40), 1) << "ring kept";
  EXPECT_EQ(clear_small_components(got, 30.0), 0) << "nothing left to clear";

  cv::Mat same = m.clone();
  EXPECT_EQ(clear_small_components(same, 0.0), 0) << "min area 0: nothing is too small";
  EXPECT_EQ(cv::countNonZero(same != m), 0);
  cv::Mat one = cv::Mat::ones(1, 1, CV_8U) * 255;  // any non-zero value counts
  EXPECT_EQ(clear_small_components(one, 1e-9), 1);
  EXPECT_EQ(cv::countNonZero(one), 0);
  cv::Mat f32(3, 3, CV_32F, cv::Scalar(0));
  EXPECT_THROW(clear_small_components(f32, 30.0), Error);
}

TEST(SmallComponents, ContoursAreThoseBeforeWithoutSmallOnes) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 80; ++trial) {
    const int h = 1 + static_cast<int>(rng() % 90), w = 1 + static_cast<int>(rng() % 200);
    const double density = 0.02 + 0.6 * (rng() % 100) / 100.0;  // sparse speckle to crowded blobs
    const double min_area = trial % 4 == 0 ? 1.0 : 1.0 + rng() % 60;
    std::bernoulli_distribution on(density);
    cv::Mat m(h, w, CV_8U);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) m.at<uint8_t>(y, x) = on(rng) ? 1 : 0;
    // the decoder's use: contours below the minimum area are dropped
    Contours want;
    for (auto& c : external_contours(m))
      if (cv::contourArea(c) >= min_area) want.push_back(c);
    int removed = 0;
    const cv::Mat want_mask = expected_after(m, min_area, &removed);
    cv::Mat got = m.clone();
    EXPECT_EQ(clear_small_components(got, min_area), removed) << "trial " << trial;
    ASSERT_EQ(cv::countNonZero(got != want_mask), 0) << "trial " << trial << " " << h << "x" << w;
    Contours kept;
    for (auto& c : external_contours(got))
      if (cv::contourArea(c) >= min_area) kept.push_back(c);
    EXPECT_EQ(kept, want) << "trial " << trial << " " << h << "x" << w << " density " << density;
  }
}

}  // namespace
}  // namespace textq
