#include "datasets/mmocr_json.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "datasets/python_json.h"
#include "eval/geos_polygon.h"
#include "textq/error.h"

namespace textq::datasets {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr size_t kMaxCoords = 1u << 20;
constexpr int kMaxImageSide = 1 << 20;
constexpr int kMaxJsonDepth = 64;  // MMOCR files need 5; nlohmann's dump() and == recurse

[[noreturn]] void bad(const std::string& where, const std::string& rule) {
  throw Error(ErrorKind::InvalidFile, where + ": " + rule);
}

json parse_file(const std::string& path) {
  const std::string text = read_file_text(path);
  try {
    return json::parse(text, [&](int depth, json::parse_event_t, json&) {
      if (depth > kMaxJsonDepth) bad(path, "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
      return true;
    });
  } catch (const json::exception& e) {  // parse errors and number overflow
    bad(path, std::string("not valid JSON: ") + e.what());
  }
}

// Python truthiness of a json value.
bool truthy(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return false;
    case json::value_t::boolean: return j.get<bool>();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return j.get<int64_t>() != 0;
    case json::value_t::number_float: return j.get<double>() != 0.0;
    case json::value_t::string: return !j.get_ref<const std::string&>().empty();
    default: return !j.empty();
  }
}

const json& require(const json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) bad(where, std::string("missing key \"") + key + "\"");
  return *it;
}

double number(const json& j, const std::string& where) {
  if (!j.is_number()) bad(where, std::string("must be a number, got ") + j.type_name());
  const double v = j.get<double>();
  if (!std::isfinite(v)) bad(where, "is not finite");
  return v;
}

int image_side(const json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return 0;
  if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > kMaxImageSide)
    bad(where + "." + key, "must be an integer in [0, 2^20]");
  return static_cast<int>(it->get<int64_t>());
}

void read_polygon(const json& j, const std::string& where, TextInstance& inst) {
  if (!j.is_array()) bad(where, std::string("must be an array of numbers, got ") + j.type_name());
  if (j.size() > kMaxCoords) bad(where, "more than 2^20 coordinates");
  if (j.size() % 2 != 0) bad(where, "odd number of coordinates (" + std::to_string(j.size()) + ")");
  if (j.size() < 6) bad(where, "only " + std::to_string(j.size() / 2) + " points; a polygon needs at least 3");
  inst.polygon.clear();
  inst.polygon_is_int = true;
  for (size_t i = 0; i < j.size(); ++i) {
    inst.polygon.push_back(number(j[i], where + "[" + std::to_string(i) + "]"));
    if (!j[i].is_number_integer()) inst.polygon_is_int = false;
  }
}

std::string string_field(const json& obj, const char* key, const std::string& where) {
  const json& v = require(obj, key, where);
  if (!v.is_string()) bad(where + "." + key, "must be a string");
  return v.get<std::string>();
}

ojson number_json(double v, bool as_int) {
  if (as_int) return ojson(static_cast<int64_t>(v));
  return ojson(v);
}

ojson polygon_json(const TextInstance& inst) {
  ojson a = ojson::array();
  for (double v : inst.polygon) a.push_back(number_json(v, inst.polygon_is_int));
  return a;
}

// Shapely bounds of the polygon: minx, miny, maxx, maxy.
std::array<double, 4> bounds(const std::vector<double>& p) {
  std::array<double, 4> b{p[0], p[1], p[0], p[1]};
  for (size_t i = 0; i + 1 < p.size(); i += 2) {
    b[0] = std::min(b[0], p[i]);
    b[1] = std::min(b[1], p[i + 1]);
    b[2] = std::max(b[2], p[i]);
    b[3] = std::max(b[3], p[i + 1]);
  }
  return b;
}

}  // namespace

std::string path_basename(const std::string& path) {
  const size_t k = path.find_last_of('/');
  return k == std::string::npos ? path : path.substr(k + 1);
}

Dataset read_mmocr0_json(const std::string& path) {
  const json root = parse_file(path);
  if (!root.is_object()) bad(path, "top level must be an object");
  const json& images = require(root, "images", path);
  if (!images.is_array()) bad(path + ": images", "must be an array");
  // IcdarDataset keeps annotations whose category is named 'text'.
  std::vector<int64_t> text_cats;
  auto cats = root.find("categories");
  if (cats != root.end()) {
    if (!cats->is_array()) bad(path + ": categories", "must be an array");
    for (size_t i = 0; i < cats->size(); ++i) {
      const json& c = (*cats)[i];
      const std::string w = path + ": categories[" + std::to_string(i) + "]";
      if (!c.is_object()) bad(w, "must be an object");
      auto n = c.find("name");
      auto id = c.find("id");
      if (id == c.end() || !id->is_number_integer()) bad(w, "\"id\" must be an integer");
      if (n != c.end() && n->is_string() && n->get<std::string>() == "text") text_cats.push_back(id->get<int64_t>());
    }
  }
  Dataset ds;
  std::map<int64_t, size_t> by_id;
  for (size_t i = 0; i < images.size(); ++i) {
    const json& im = images[i];
    const std::string w = path + ": images[" + std::to_string(i) + "]";
    if (!im.is_object()) bad(w, "must be an object");
    ImageAnnotation a;
    a.img_path = string_field(im, "file_name", w);
    a.width = image_side(im, "width", w);
    a.height = image_side(im, "height", w);
    auto seg = im.find("segm_file");
    if (seg != im.end() && seg->is_string()) a.label_file = path_basename(seg->get<std::string>());
    const json& id = require(im, "id", w);
    if (!id.is_number_integer()) bad(w + ".id", "must be an integer");
    if (!by_id.emplace(id.get<int64_t>(), ds.images.size()).second)
      bad(w + ".id", "duplicate image id " + id.dump());
    ds.images.push_back(std::move(a));
  }
  auto anns = root.find("annotations");
  if (anns == root.end()) return ds;
  if (!anns->is_array()) bad(path + ": annotations", "must be an array");
  for (size_t i = 0; i < anns->size(); ++i) {
    const json& an = (*anns)[i];
    const std::string w = path + ": annotations[" + std::to_string(i) + "]";
    if (!an.is_object()) bad(w, "must be an object");
    const json& img_id = require(an, "image_id", w);
    if (!img_id.is_number_integer()) bad(w + ".image_id", "must be an integer");
    auto img = by_id.find(img_id.get<int64_t>());
    if (img == by_id.end()) continue;  // COCO never looks it up
    TextInstance inst;
    const json& segm = require(an, "segmentation", w);
    if (!segm.is_array() || segm.empty()) bad(w + ".segmentation", "must be a non-empty list of polygons");
    read_polygon(segm[0], w + ".segmentation[0]", inst);
    auto crowd = an.find("iscrowd");
    inst.ignore = crowd != an.end() && truthy(*crowd);
    auto text = an.find("text");
    if (text != an.end() && text->is_string()) inst.text = text->get<std::string>();
    CocoFields c;
    c.area = number(require(an, "area", w), w + ".area");
    const json& bbox = require(an, "bbox", w);
    if (!bbox.is_array() || bbox.size() != 4) bad(w + ".bbox", "must be [x, y, w, h]");
    c.bbox_is_int = true;
    for (int k = 0; k < 4; ++k) {
      c.bbox[k] = number(bbox[k], w + ".bbox[" + std::to_string(k) + "]");
      if (!bbox[k].is_number_integer()) c.bbox_is_int = false;
    }
    const json& cat = require(an, "category_id", w);
    if (!cat.is_number_integer()) bad(w + ".category_id", "must be an integer");
    c.category_id = static_cast<int>(cat.get<int64_t>());
    auto ign = an.find("ignore");
    c.skipped = (ign != an.end() && truthy(*ign)) ||
                std::find(text_cats.begin(), text_cats.end(), cat.get<int64_t>()) == text_cats.end();
    inst.coco = c;
    ds.images[img->second].instances.push_back(std::move(inst));
  }
  return ds;
}

Dataset read_mmocr1_json(const std::string& path) {
  const json root = parse_file(path);
  if (!root.is_object()) bad(path, "top level must be an object");
  const json& list = require(root, "data_list", path);
  if (!list.is_array()) bad(path + ": data_list", "must be an array");
  Dataset ds;
  ds.images.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const json& it = list[i];
    const std::string w = path + ": data_list[" + std::to_string(i) + "]";
    if (!it.is_object()) bad(w, "must be an object");
    ImageAnnotation a;
    a.img_path = string_field(it, "img_path", w);
    a.width = image_side(it, "width", w);
    a.height = image_side(it, "height", w);
    const json& insts = require(it, "instances", w);
    if (!insts.is_array()) bad(w + ".instances", "must be an array");
    for (size_t k = 0; k < insts.size(); ++k) {
      const json& in = insts[k];
      const std::string iw = w + ".instances[" + std::to_string(k) + "]";
      if (!in.is_object()) bad(iw, "must be an object");
      TextInstance inst;
      read_polygon(require(in, "polygon", iw), iw + ".polygon", inst);
      auto ign = in.find("ignore");
      inst.ignore = ign != in.end() && truthy(*ign);
      auto text = in.find("text");
      if (text != in.end() && text->is_string()) inst.text = text->get<std::string>();
      a.instances.push_back(std::move(inst));
    }
    ds.images.push_back(std::move(a));
  }
  return ds;
}

Dataset read_annotation_json(const std::string& path) {
  const json root = parse_file(path);
  if (root.is_object() && root.contains("data_list")) return read_mmocr1_json(path);
  if (root.is_object() && root.contains("images")) return read_mmocr0_json(path);
  bad(path, "neither an MMOCR 1.x textdet json (\"data_list\") nor a 0.x COCO-style json (\"images\")");
}

std::string write_mmocr0_json(const Dataset& ds, const Mmocr0WriteOptions& opt) {
  ojson root = ojson::object();
  ojson images = ojson::array();
  ojson anns = ojson::array();
  int64_t ann_id = 0;
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const ImageAnnotation& im = ds.images[i];
    ojson o = ojson::object();
    o["file_name"] = opt.split_dir + "/" + path_basename(im.img_path);
    o["height"] = im.height;
    o["width"] = im.width;
    o["segm_file"] = (opt.segm_dir.empty() ? opt.split_dir : opt.segm_dir) + "/" + im.label_file;
    o["id"] = static_cast<int64_t>(i);
    images.push_back(std::move(o));
    for (const TextInstance& inst : im.instances) {
      ojson a = ojson::object();
      a["iscrowd"] = opt.iscrowd_from_ignore && inst.ignore ? 1 : 0;
      a["category_id"] = 1;
      ojson bbox = ojson::array();
      double area;
      if (inst.coco) {
        for (double v : inst.coco->bbox) bbox.push_back(number_json(v, inst.coco->bbox_is_int));
        area = inst.coco->area;
      } else {  // Shapely bounds as [x, y, w, h] (floats) and area
        const auto b = bounds(inst.polygon);
        bbox = ojson::array({b[0], b[1], b[2] - b[0], b[3] - b[1]});
        area = eval::shapely_polygon_area(inst.polygon);
      }
      a["bbox"] = std::move(bbox);
      a["area"] = area;
      a["text"] = inst.text ? ojson(*inst.text) : ojson(nullptr);
      a["segmentation"] = ojson::array({polygon_json(inst)});
      a["image_id"] = static_cast<int64_t>(i);
      a["id"] = ann_id++;
      anns.push_back(std::move(a));
    }
  }
  root["images"] = std::move(images);
  root["categories"] = ojson::array({ojson{{"id", 1}, {"name", "text"}}});
  if (!anns.empty()) root["annotations"] = std::move(anns);
  return python_json_dumps(root, true);
}

std::string write_mmocr1_json(const Dataset& ds, const Mmocr1WriteOptions& opt) {
  ojson root = ojson::object();
  ojson meta = ojson::object();
  meta["dataset_type"] = "TextDetDataset";
  meta["task_name"] = "textdet";
  meta["category"] = ojson::array({ojson{{"id", 0}, {"name", "text"}}});
  root["metainfo"] = std::move(meta);
  ojson list = ojson::array();
  for (const ImageAnnotation& im : ds.images) {
    ojson insts = ojson::array();
    for (const TextInstance& inst : im.instances) {
      ojson o = ojson::object();
      o["polygon"] = polygon_json(inst);
      // poly2bbox: min/max of the float32 polygon, then astype('float64')
      std::vector<double> p32(inst.polygon.size());
      for (size_t k = 0; k < p32.size(); ++k) p32[k] = static_cast<float>(inst.polygon[k]);
      const auto b = bounds(p32);
      o["bbox"] = ojson::array({b[0], b[1], b[2], b[3]});
      o["bbox_label"] = 0;
      if (opt.ignore_as_int)
        o["ignore"] = inst.ignore ? 1 : 0;
      else
        o["ignore"] = inst.ignore;
      insts.push_back(std::move(o));
    }
    ojson e = ojson::object();
    e["instances"] = std::move(insts);
    e["img_path"] = opt.img_dir + "/" + path_basename(im.img_path);
    e["height"] = im.height;
    e["width"] = im.width;
    list.push_back(std::move(e));
  }
  root["data_list"] = std::move(list);
  return python_json_dumps(root, false);
}

}  // namespace textq::datasets
