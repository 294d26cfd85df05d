// MMOCR annotation json files: readers (0.x COCO-style instances_*.json, 1.x
// TextDetDataset textdet_*.json) and writers that reproduce MMOCR's
// converters byte for byte (see docs/datasets.md).
#pragma once

#include <string>

#include "datasets/annotation.h"

namespace textq::datasets {

// 0.x: images in json order, each with its annotations in json order;
// polygon = segmentation[0], ignore = truthy iscrowd; the COCO fields are kept
// so that metric_ground_truth can apply IcdarDataset's filter.
Dataset read_mmocr0_json(const std::string& path);
// 1.x: data_list order; polygon, ignore (truthy) per instance.
Dataset read_mmocr1_json(const std::string& path);
// Either of the two, told apart by the top-level keys ("images" / "data_list").
Dataset read_annotation_json(const std::string& path);

struct Mmocr0WriteOptions {
  std::string split_dir;           // "training" / "test": prefix of file_name and segm_file
  bool iscrowd_from_ignore = false;  // CTW1500's converter always writes iscrowd 0
  std::string segm_dir;            // prefix of segm_file when it differs from split_dir ("" = split_dir)
};
// The text of instances_<split>.json as tools/data/textdet/*_converter.py
// writes it (mmcv.dump: json.dump defaults, ASCII escapes). Image ids and
// annotation ids count from 0 in order; "annotations" is left out when empty.
std::string write_mmocr0_json(const Dataset& ds, const Mmocr0WriteOptions& opt);

struct Mmocr1WriteOptions {
  std::string img_dir;         // e.g. "textdet_imgs/test": prefix of img_path
  bool ignore_as_int = false;  // CTW1500 train parser writes ignore 0 (an int)
};
// The text of textdet_<split>.json as MMOCR 1.x TextDetPacker + JsonDumper
// write it (ensure_ascii=False).
std::string write_mmocr1_json(const Dataset& ds, const Mmocr1WriteOptions& opt);

}  // namespace textq::datasets
