#include "textdet/draw.h"

#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "textq/error.h"

namespace textq {

void draw_instances(cv::Mat& bgr, const std::vector<TextInstance>& inst, const cv::Scalar& color) {
  if (bgr.empty() || bgr.type() != CV_8UC3)
    throw Error(ErrorKind::InvalidArgument, "draw_instances: image must be a non-empty CV_8UC3");
  constexpr double kLimit = 1e6;  // keeps cv::Point arithmetic far from int overflow
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  const double font_scale = 0.5;
  for (const TextInstance& t : inst) {
    if (t.polygon.size() < 4) continue;
    std::vector<cv::Point> pts;
    bool ok = true;
    for (size_t i = 0; i + 1 < t.polygon.size(); i += 2) {
      const double x = t.polygon[i], y = t.polygon[i + 1];
      if (!std::isfinite(x) || !std::isfinite(y) || std::fabs(x) > kLimit || std::fabs(y) > kLimit) {
        ok = false;
        break;
      }
      pts.emplace_back(static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y)));
    }
    if (!ok) continue;
    cv::polylines(bgr, std::vector<std::vector<cv::Point>>{pts}, true, color, 2, cv::LINE_AA);

    cv::Point anchor = pts[0];
    for (const cv::Point& p : pts)
      if (p.y < anchor.y || (p.y == anchor.y && p.x < anchor.x)) anchor = p;
    char label[32];
    std::snprintf(label, sizeof label, "%.3f", t.score);
    int baseline = 0;
    const cv::Size ts = cv::getTextSize(label, font, font_scale, 1, &baseline);
    const cv::Point org(anchor.x, std::max(ts.height + 2, anchor.y - 3));
    cv::rectangle(bgr, cv::Point(org.x - 1, org.y - ts.height - 2),
                  cv::Point(org.x + ts.width + 1, org.y + baseline - 1), color, cv::FILLED);
    // Black or white text, whichever contrasts with the label colour.
    const double luma = 0.114 * color[0] + 0.587 * color[1] + 0.299 * color[2];
    const cv::Scalar ink = luma > 128 ? cv::Scalar(0, 0, 0) : cv::Scalar(255, 255, 255);
    cv::putText(bgr, label, org, font, font_scale, ink, 1, cv::LINE_AA);
  }
}

}  // namespace textq
