#include "report/image_panel.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "report/base64.h"
#include "textq/error.h"

namespace textq::report {

cv::Mat fit_image(const cv::Mat& bgr, int max_side, double* scale) {
  if (bgr.empty()) throw Error(ErrorKind::InvalidArgument, "fit_image: empty image");
  if (max_side < 16) throw Error(ErrorKind::InvalidArgument, "fit_image: max_side must be >= 16");
  const int longer = std::max(bgr.cols, bgr.rows);
  if (longer <= max_side) {
    *scale = 1.0;
    return bgr.clone();
  }
  *scale = static_cast<double>(max_side) / longer;
  cv::Mat out;
  cv::resize(bgr, out, cv::Size(std::max(1, static_cast<int>(std::lround(bgr.cols * *scale))),
                                std::max(1, static_cast<int>(std::lround(bgr.rows * *scale)))),
             0, 0, cv::INTER_AREA);
  return out;
}

std::vector<double> scale_polygon(const std::vector<double>& xy, double scale) {
  std::vector<double> out(xy.size());
  for (size_t i = 0; i < xy.size(); ++i) out[i] = xy[i] * scale;
  return out;
}

void draw_dashed_polygon(cv::Mat& bgr, const std::vector<cv::Point2d>& pts, const cv::Scalar& color, double dash, double gap) {
  if (pts.size() < 2 || !(dash > 0) || !(gap >= 0)) return;
  const double period = dash + gap;
  double phase = 0;  // distance walked along the outline, so dashes continue across corners
  for (size_t i = 0; i < pts.size(); ++i) {
    const cv::Point2d a = pts[i], b = pts[(i + 1) % pts.size()];
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    if (!(len > 0)) continue;
    double t = 0;
    while (t < len) {
      const double in_period = std::fmod(phase + t, period);
      const double step = in_period < dash ? std::min(dash - in_period, len - t) : std::min(period - in_period, len - t);
      if (in_period < dash) {
        const cv::Point2d p = a + (b - a) * (t / len), q = a + (b - a) * ((t + step) / len);
        cv::line(bgr, cv::Point(static_cast<int>(std::lround(p.x)), static_cast<int>(std::lround(p.y))),
                 cv::Point(static_cast<int>(std::lround(q.x)), static_cast<int>(std::lround(q.y))), color, 2, cv::LINE_AA);
      }
      t += std::max(step, 1e-6);
    }
    phase += len;
  }
}

void draw_ground_truth(cv::Mat& bgr, const std::vector<datasets::TextInstance>& gt, double scale) {
  if (bgr.empty() || bgr.type() != CV_8UC3)
    throw Error(ErrorKind::InvalidArgument, "draw_ground_truth: image must be a non-empty CV_8UC3");
  constexpr double kLimit = 1e6;  // as draw_instances: far from int overflow
  for (const datasets::TextInstance& t : gt) {
    if (t.polygon.size() < 4) continue;
    std::vector<cv::Point2d> pts;
    bool ok = true;
    for (size_t i = 0; i + 1 < t.polygon.size(); i += 2) {
      const double x = t.polygon[i] * scale, y = t.polygon[i + 1] * scale;
      if (!std::isfinite(x) || !std::isfinite(y) || std::fabs(x) > kLimit || std::fabs(y) > kLimit) {
        ok = false;
        break;
      }
      pts.emplace_back(x, y);
    }
    if (!ok) continue;
    if (t.ignore) {
      draw_dashed_polygon(bgr, pts, kIgnoredGtColor, 6, 8);
    } else {
      std::vector<cv::Point> ip;
      for (const auto& p : pts) ip.emplace_back(static_cast<int>(std::lround(p.x)), static_cast<int>(std::lround(p.y)));
      cv::polylines(bgr, std::vector<std::vector<cv::Point>>{ip}, true, kGtColor, 2, cv::LINE_AA);
    }
  }
}

std::string jpeg_data_uri(const cv::Mat& bgr, int quality) {
  std::vector<uchar> buf;
  const std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY, std::clamp(quality, 1, 100)};
  if (bgr.empty() || !cv::imencode(".jpg", bgr, buf, params))
    throw Error(ErrorKind::Internal, "jpeg_data_uri: cannot encode the image as JPEG");
  return "data:image/jpeg;base64," + base64_encode(buf.data(), buf.size());
}

}  // namespace textq::report
