#include "textdet/db_unclip.h"

#include <polyclipping/clipper.hpp>

#include "eval/geos_polygon.h"

namespace textq {

std::vector<std::vector<cv::Point>> db_unclip(const std::vector<cv::Point2d>& pts, double unclip_ratio) {
  std::vector<double> coords;
  coords.reserve(2 * pts.size());
  for (const cv::Point2d& p : pts) {
    coords.push_back(p.x);
    coords.push_back(p.y);
  }
  double area = 0, length = 0;
  eval::shapely_polygon_area_length(coords, &area, &length);
  if (!(length > 0)) return {};
  const double distance = area * unclip_ratio / length;

  ClipperLib::Path path;
  for (const cv::Point2d& p : pts)
    path.emplace_back(static_cast<ClipperLib::cInt>(p.x), static_cast<ClipperLib::cInt>(p.y));
  ClipperLib::ClipperOffset offset;  // pyclipper's defaults: miter limit 2, arc tolerance 0.25
  offset.AddPath(path, ClipperLib::jtRound, ClipperLib::etClosedPolygon);
  ClipperLib::Paths solution;
  offset.Execute(solution, distance);

  std::vector<std::vector<cv::Point>> out;
  for (const ClipperLib::Path& s : solution) {
    std::vector<cv::Point> o;
    for (const ClipperLib::IntPoint& q : s) o.emplace_back(static_cast<int>(q.X), static_cast<int>(q.Y));
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace textq
