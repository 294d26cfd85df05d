#include "datasets/metric_gt.h"

#include <algorithm>

#include "eval/geos_polygon.h"

namespace textq::datasets {

std::vector<eval::ImageGt> metric_ground_truth(const Dataset& ds, eval::MetricRules rules) {
  std::vector<eval::ImageGt> out;
  out.reserve(ds.images.size());
  for (const ImageAnnotation& im : ds.images) {
    eval::ImageGt g;
    g.name = path_basename(im.img_path);
    for (const TextInstance& inst : im.instances) {
      if (rules == eval::MetricRules::Mmocr0) {
        double area, w, h;
        if (inst.coco) {
          if (inst.coco->skipped) continue;
          area = inst.coco->area;
          w = inst.coco->bbox[2];
          h = inst.coco->bbox[3];
        } else {
          area = eval::shapely_polygon_area(inst.polygon);
          double x0 = inst.polygon[0], x1 = x0, y0 = inst.polygon[1], y1 = y0;
          for (size_t k = 0; k + 1 < inst.polygon.size(); k += 2) {
            x0 = std::min(x0, inst.polygon[k]);
            x1 = std::max(x1, inst.polygon[k]);
            y0 = std::min(y0, inst.polygon[k + 1]);
            y1 = std::max(y1, inst.polygon[k + 1]);
          }
          w = x1 - x0;
          h = y1 - y0;
        }
        if (area <= 0 || w < 1 || h < 1) continue;
      }
      g.polygons.push_back(inst.polygon);
      g.ignored.push_back(inst.ignore);
    }
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace textq::datasets
