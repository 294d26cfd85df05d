// clear_isolated_pixels: which pixels go, and that cv::findContours then gives
// exactly the contours it gave before minus the one-point ones, in order.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "textdet/isolated_pixels.h"
#include "textq/error.h"

namespace textq {
namespace {

std::vector<std::vector<cv::Point>> contours_of(const cv::Mat& mask) {
  std::vector<std::vector<cv::Point>> c;
  cv::findContours(mask.clone(), c, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  return c;
}

TEST(IsolatedPixels, ClearsLonePixelsOnlyIncludingAtTheEdges) {
  cv::Mat m = cv::Mat::zeros(6, 9, CV_8U);
  m.at<uint8_t>(0, 0) = 1;  // corner, alone
  m.at<uint8_t>(5, 8) = 1;  // other corner, alone
  m.at<uint8_t>(0, 4) = 1;  // top edge, alone
  m.at<uint8_t>(3, 2) = 1;  // diagonal pair: both stay
  m.at<uint8_t>(4, 3) = 1;
  m.at<uint8_t>(2, 6) = 1;  // horizontal pair: both stay
  m.at<uint8_t>(2, 7) = 1;
  m.at<uint8_t>(5, 0) = 1;  // bottom-left corner, alone
  cv::Mat want = m.clone();
  want.at<uint8_t>(0, 0) = want.at<uint8_t>(5, 8) = want.at<uint8_t>(0, 4) = want.at<uint8_t>(5, 0) = 0;
  EXPECT_EQ(clear_isolated_pixels(m), 4);
  EXPECT_EQ(cv::countNonZero(m != want), 0);
  EXPECT_EQ(clear_isolated_pixels(m), 0) << "nothing left to clear";

  cv::Mat one = cv::Mat::ones(1, 1, CV_8U);
  EXPECT_EQ(clear_isolated_pixels(one), 1);
  cv::Mat row = cv::Mat::zeros(1, 19, CV_8U);  // widths around the 8-byte skip
  row.at<uint8_t>(0, 8) = 1;
  row.at<uint8_t>(0, 17) = row.at<uint8_t>(0, 18) = 1;
  EXPECT_EQ(clear_isolated_pixels(row), 1);
  EXPECT_EQ(cv::countNonZero(row), 2);
  cv::Mat f32(3, 3, CV_32F, cv::Scalar(0));
  EXPECT_THROW(clear_isolated_pixels(f32), Error);
}

TEST(IsolatedPixels, ContoursAreThoseBeforeWithoutTheOnePointOnes) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    const int h = 5 + static_cast<int>(rng() % 60), w = 5 + static_cast<int>(rng() % 90);
    const double density = 0.02 + 0.5 * (rng() % 100) / 100.0;  // sparse speckle to crowded blobs
    std::bernoulli_distribution on(density);
    cv::Mat m(h, w, CV_8U);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) m.at<uint8_t>(y, x) = on(rng) ? 1 : 0;
    std::vector<std::vector<cv::Point>> want;
    int lone = 0;
    for (auto& c : contours_of(m)) {
      if (c.size() == 1) {
        ++lone;
        EXPECT_EQ(cv::contourArea(c), 0.0);
      } else {
        want.push_back(c);
      }
    }
    EXPECT_EQ(clear_isolated_pixels(m), lone) << "trial " << trial;
    EXPECT_EQ(contours_of(m), want) << "trial " << trial << " " << h << "x" << w << " density " << density;
  }
}

}  // namespace
}  // namespace textq
