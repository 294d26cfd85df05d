#include "textdet/db_box.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace textq {
namespace {

// mask = zeros(box), fillPoly(shifted points, 1), cv2.mean(prob[box], mask).
double masked_mean(const cv::Mat& prob, int xmin, int xmax, int ymin, int ymax, const std::vector<cv::Point>& shifted) {
  cv::Mat mask = cv::Mat::zeros(ymax - ymin + 1, xmax - xmin + 1, CV_8U);
  const cv::Point* p = shifted.data();
  const int n = static_cast<int>(shifted.size());
  cv::fillPoly(mask, &p, &n, 1, cv::Scalar(1));
  return cv::mean(prob(cv::Range(ymin, ymax + 1), cv::Range(xmin, xmax + 1)), mask)[0];
}

// Smallest and largest x and y of the points (int or float32 points).
template <class Point, class T>
void point_bounds(const Point* pts, size_t n, T* xmin, T* xmax, T* ymin, T* ymax) {
  *xmin = *xmax = pts[0].x;
  *ymin = *ymax = pts[0].y;
  for (size_t i = 1; i < n; ++i) {
    *xmin = std::min(*xmin, pts[i].x);
    *xmax = std::max(*xmax, pts[i].x);
    *ymin = std::min(*ymin, pts[i].y);
    *ymax = std::max(*ymax, pts[i].y);
  }
}

}  // namespace

MiniBox paddle_mini_box(const std::vector<cv::Point>& pts) {
  const cv::RotatedRect rect = cv::minAreaRect(pts);
  cv::Point2f v[4];
  rect.points(v);  // cv2.boxPoints
  std::array<cv::Point2f, 4> s = {v[0], v[1], v[2], v[3]};
  std::stable_sort(s.begin(), s.end(), [](const cv::Point2f& a, const cv::Point2f& b) { return a.x < b.x; });
  const int i1 = s[1].y > s[0].y ? 0 : 1, i4 = s[1].y > s[0].y ? 1 : 0;
  const int i2 = s[3].y > s[2].y ? 2 : 3, i3 = s[3].y > s[2].y ? 3 : 2;
  MiniBox b;
  b.corners = {s[i1], s[i2], s[i3], s[i4]};
  b.short_side = std::min(rect.size.width, rect.size.height);
  return b;
}

double db_box_score(const cv::Mat& prob, const std::vector<cv::Point>& pts) {
  const int w = prob.cols, h = prob.rows;
  int xmin, xmax, ymin, ymax;
  point_bounds(pts.data(), pts.size(), &xmin, &xmax, &ymin, &ymax);
  xmin = std::clamp(xmin, 0, w - 1);
  xmax = std::clamp(xmax, 0, w - 1);
  ymin = std::clamp(ymin, 0, h - 1);
  ymax = std::clamp(ymax, 0, h - 1);
  std::vector<cv::Point> shifted;
  shifted.reserve(pts.size());
  for (const cv::Point& p : pts) shifted.emplace_back(p.x - xmin, p.y - ymin);
  return masked_mean(prob, xmin, xmax, ymin, ymax, shifted);
}

double db_box_score(const cv::Mat& prob, const std::array<cv::Point2f, 4>& quad) {
  const int w = prob.cols, h = prob.rows;
  float fxmin, fxmax, fymin, fymax;
  point_bounds(quad.data(), quad.size(), &fxmin, &fxmax, &fymin, &fymax);
  // np.floor/np.ceil in float32, .astype(int), np.clip
  const int xmin = std::clamp(static_cast<int>(std::floor(fxmin)), 0, w - 1);
  const int xmax = std::clamp(static_cast<int>(std::ceil(fxmax)), 0, w - 1);
  const int ymin = std::clamp(static_cast<int>(std::floor(fymin)), 0, h - 1);
  const int ymax = std::clamp(static_cast<int>(std::ceil(fymax)), 0, h - 1);
  std::vector<cv::Point> shifted;
  for (const cv::Point2f& p : quad)  // float32 subtraction, then astype(np.int32)
    shifted.emplace_back(static_cast<int>(p.x - static_cast<float>(xmin)), static_cast<int>(p.y - static_cast<float>(ymin)));
  return masked_mean(prob, xmin, xmax, ymin, ymax, shifted);
}

}  // namespace textq
