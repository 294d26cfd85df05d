// The predictions file shared by `detect` (writer) and `eval` (reader):
// {"format":"textq-predictions","version":1,"model":"…",
//  "predictions":[{"img_path":"…","width":W,"height":H,
//                  "polygons":[[x1,y1,x2,y2,…],…],"scores":[…]}]}
// Polygons are in original-image pixel coordinates.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace textq {

struct ImagePrediction {
  std::string img_path;   // as given to detect (eval matches on the file name)
  int width = 0, height = 0;
  std::vector<std::vector<double>> polygons;  // x1,y1,x2,y2,... (>= 3 points)
  std::vector<double> scores;                 // one per polygon
};

struct PredictionsFile {
  std::string model;  // model file the predictions came from (informational)
  std::vector<ImagePrediction> predictions;
};

void save_predictions(const PredictionsFile& preds, const std::string& path);  // atomic
// Validates structure, finite coordinates, even counts >= 6, scores per polygon.
PredictionsFile load_predictions(const std::string& path);

// The same object as json, for files that embed predictions (the eval part
// files of docs/formats.md); `path` names the file in error messages.
nlohmann::json predictions_to_json(const PredictionsFile& preds, const std::string& path);
PredictionsFile predictions_from_json(const nlohmann::json& root, const std::string& path);
// json::parse with a nesting limit of 64; errors are Error(InvalidFile) naming `path`.
nlohmann::json parse_json_bounded(const std::string& text, const std::string& path);

}  // namespace textq
