// Reader/writer of the predictions file (format in predictions.h and
// docs/predictions_format.md). The reader trusts nothing: every rule broken is
// reported as "<file>: predictions[i] (<img_path>): polygon j: <rule>".
#include "formats/predictions.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "textq/error.h"

namespace textq {
namespace {

constexpr const char* kFormat = "textq-predictions";
constexpr int kVersion = 1;
constexpr size_t kMaxCoordsPerPolygon = 1u << 20;  // far above any real contour
constexpr int kMaxJsonDepth = 64;  // the format needs 4; nlohmann's dump() and == recurse

using json = nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& rule) {
  throw Error(ErrorKind::InvalidFile, where + ": " + rule);
}

const char* type_name(const json& j) { return j.type_name(); }

double finite_number(const json& j, const std::string& where, const std::string& what) {
  if (!j.is_number()) bad(where, what + " must be a number, got " + type_name(j));
  const double v = j.get<double>();
  if (!std::isfinite(v)) bad(where, what + " is not finite");
  return v;
}

void check_polygon(const std::vector<double>& poly, const std::string& where) {
  if (poly.size() % 2 != 0)
    bad(where, "odd number of coordinates (" + std::to_string(poly.size()) + "); expected x,y pairs");
  if (poly.size() < 6)
    bad(where, "only " + std::to_string(poly.size() / 2) + " points; a polygon needs at least 3");
  for (size_t i = 0; i < poly.size(); ++i)
    if (!std::isfinite(poly[i])) bad(where, "coordinate " + std::to_string(i) + " is not finite");
}

ImagePrediction parse_image(const json& j, const std::string& where) {
  if (!j.is_object()) bad(where, std::string("must be an object, got ") + type_name(j));
  ImagePrediction p;
  auto path = j.find("img_path");
  if (path == j.end() || !path->is_string()) bad(where, "\"img_path\" must be a string");
  p.img_path = path->get<std::string>();
  const std::string at = where + " (" + p.img_path + ")";
  for (const char* key : {"width", "height"}) {
    auto it = j.find(key);
    if (it == j.end()) continue;  // optional
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > (1 << 20))
      bad(at, std::string("\"") + key + "\" must be an integer in [0, 1048576]");
    (std::string(key) == "width" ? p.width : p.height) = static_cast<int>(it->get<int64_t>());
  }
  auto polys = j.find("polygons");
  auto scores = j.find("scores");
  if (polys == j.end() || !polys->is_array()) bad(at, "\"polygons\" must be an array");
  if (scores == j.end() || !scores->is_array()) bad(at, "\"scores\" must be an array");
  if (polys->size() != scores->size())
    bad(at, std::to_string(polys->size()) + " polygons but " + std::to_string(scores->size()) +
                " scores; need one score per polygon");
  p.polygons.reserve(polys->size());
  for (size_t k = 0; k < polys->size(); ++k) {
    const json& pj = (*polys)[k];
    const std::string pw = at + ": polygon " + std::to_string(k);
    if (!pj.is_array()) bad(pw, std::string("must be an array of numbers, got ") + type_name(pj));
    if (pj.size() > kMaxCoordsPerPolygon) bad(pw, "more than 2^20 coordinates");
    std::vector<double> poly;
    poly.reserve(pj.size());
    for (size_t i = 0; i < pj.size(); ++i) {
      if (!pj[i].is_number()) bad(pw, "coordinate " + std::to_string(i) + " is not a number");
      poly.push_back(pj[i].get<double>());
    }
    check_polygon(poly, pw);
    p.polygons.push_back(std::move(poly));
    p.scores.push_back(finite_number((*scores)[k], at, "score " + std::to_string(k)));
  }
  return p;
}

}  // namespace

nlohmann::json predictions_to_json(const PredictionsFile& preds, const std::string& path) {
  json root = json::object();
  root["format"] = kFormat;
  root["version"] = kVersion;
  root["model"] = preds.model;
  json list = json::array();
  for (size_t i = 0; i < preds.predictions.size(); ++i) {
    const ImagePrediction& p = preds.predictions[i];
    const std::string where = path + ": predictions[" + std::to_string(i) + "] (" + p.img_path + ")";
    if (p.polygons.size() != p.scores.size())
      throw Error(ErrorKind::InvalidArgument, where + ": " + std::to_string(p.polygons.size()) + " polygons but " +
                                                  std::to_string(p.scores.size()) + " scores");
    json item = json::object();
    item["img_path"] = p.img_path;
    item["width"] = p.width;
    item["height"] = p.height;
    json polys = json::array();
    for (size_t k = 0; k < p.polygons.size(); ++k) {
      try {
        check_polygon(p.polygons[k], where + ": polygon " + std::to_string(k));
      } catch (const Error& e) {
        throw Error(ErrorKind::InvalidArgument, e.what());
      }
      if (!std::isfinite(p.scores[k]))
        throw Error(ErrorKind::InvalidArgument, where + ": score " + std::to_string(k) + " is not finite");
      polys.push_back(p.polygons[k]);
    }
    item["polygons"] = std::move(polys);
    item["scores"] = p.scores;
    list.push_back(std::move(item));
  }
  root["predictions"] = std::move(list);
  return root;
}

void save_predictions(const PredictionsFile& preds, const std::string& path) {
  // Invalid UTF-8 in a path is replaced rather than aborting the write.
  write_text_atomic(path, predictions_to_json(preds, path).dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
}

nlohmann::json parse_json_bounded(const std::string& text, const std::string& path) {
  try {
    return json::parse(text, [&](int depth, json::parse_event_t, json&) {
      if (depth > kMaxJsonDepth) bad(path, "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
      return true;
    });
  } catch (const json::exception& e) {  // parse errors and number overflow
    bad(path, std::string("not valid JSON: ") + e.what());
  }
}

PredictionsFile load_predictions(const std::string& path) {
  return predictions_from_json(parse_json_bounded(read_file_text(path), path), path);
}

PredictionsFile predictions_from_json(const nlohmann::json& root, const std::string& path) {
  if (!root.is_object()) bad(path, std::string("top level must be an object, got ") + type_name(root));
  auto fmt = root.find("format");
  if (fmt == root.end() || !fmt->is_string() || fmt->get<std::string>() != kFormat)
    bad(path, std::string("\"format\" must be \"") + kFormat + "\"" +
                  (fmt != root.end() ? ", got " + fmt->dump().substr(0, 40) : " (key missing)"));
  auto ver = root.find("version");
  if (ver == root.end() || !ver->is_number_integer())
    bad(path, "\"version\" must be an integer");
  if (ver->get<int64_t>() != kVersion)
    throw Error(ErrorKind::UnsupportedModel, path + ": predictions file version " + ver->dump() +
                                                 "; this textq reads version " + std::to_string(kVersion));
  PredictionsFile out;
  auto model = root.find("model");
  if (model != root.end()) {
    if (!model->is_string()) bad(path, "\"model\" must be a string");
    out.model = model->get<std::string>();
  }
  auto list = root.find("predictions");
  if (list == root.end() || !list->is_array()) bad(path, "\"predictions\" must be an array");
  out.predictions.reserve(list->size());
  for (size_t i = 0; i < list->size(); ++i)
    out.predictions.push_back(parse_image((*list)[i], path + ": predictions[" + std::to_string(i) + "]"));
  return out;
}

}  // namespace textq
