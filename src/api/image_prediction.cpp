#include "api/image_prediction.h"

namespace textq {

ImagePrediction to_image_prediction(const std::string& path, const Detection& det) {
  ImagePrediction p;
  p.img_path = path;
  p.width = det.width;
  p.height = det.height;
  for (const auto& inst : det.instances) {
    p.polygons.push_back(inst.polygon);
    p.scores.push_back(inst.score);
  }
  return p;
}

}  // namespace textq
