// The one internal annotation model every dataset reader produces and every
// writer consumes: images with their size and text instances (polygon,
// ignore flag, transcription), plus the MMOCR 0.x COCO fields when they came
// from (or must go to) an instances_*.json.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace textq::datasets {

struct CocoFields {
  double area = 0;                      // Shapely area of the raw polygon
  std::array<double, 4> bbox{};         // x, y, w, h
  bool bbox_is_int = false;             // written as ints (CTW1500 train XML box)
  int category_id = 1;
  bool skipped = false;  // IcdarDataset drops it: truthy "ignore" key or category not named "text"
};

struct TextInstance {
  std::vector<double> polygon;  // x0,y0,x1,y1,... in image pixels
  bool polygon_is_int = true;   // every coordinate integral (written as ints)
  bool ignore = false;          // 1.x "ignore" / 0.x "iscrowd" / transcription "###"
  std::optional<std::string> text;  // none: no transcription (null in 0.x json)
  std::optional<CocoFields> coco;
};

struct ImageAnnotation {
  std::string img_path;    // as the source names it (json path or raw file name)
  std::string label_file;  // raw label file name ("" when read from json)
  int width = 0, height = 0;  // 0 when unknown
  std::vector<TextInstance> instances;
};

struct Dataset {
  std::vector<ImageAnnotation> images;
};

// Python's `os.path.basename` (text after the last '/').
std::string path_basename(const std::string& path);

}  // namespace textq::datasets
