// ICDAR2015 (Incidental Scene Text, RRC challenge 4.1) in its raw layout ->
// the annotation model, read the way MMOCR 1.x's dataset preparer reads it
// (PairGatherer img_N.jpg <-> gt_img_N.txt, ICDARTxtTextDetAnnParser with
// utf-8-sig, "###" = ignore, TextDetPacker). See docs/datasets.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "datasets/annotation.h"
#include "textdet/image_io.h"

namespace textq::datasets {

enum class Icdar2015Split { Train, Test };

// Where one split lives under an ICDAR2015 root. Three layouts are recognised:
//   as downloaded: ch4_training_images/ + ch4_training_localization_transcription_gt/,
//                  ch4_test_images/ + Challenge4_Test_Task1_GT/
//   MMOCR 1.x:     textdet_imgs/{train,test}/ + annotations/{train,test}/
//   MMOCR 0.x:     imgs/{training,test}/ + annotations/{training,test}/
// img_prefix (the image folder relative to the root) prefixes img_path in the
// json, so eval's --img-root is the root.
struct Icdar2015SplitDirs {
  std::string img_dir, ann_dir;  // absolute or root-relative paths
  std::string img_prefix;
};
// Empty optional when the split has no image folder with a label folder beside it.
std::optional<Icdar2015SplitDirs> find_icdar2015_split(const std::string& root, Icdar2015Split split);

struct Icdar2015ReadOptions {
  bool apply_exif_orientation = true;  // MMOCR 1.x reads sizes as decoded
  uint64_t max_image_pixels = kDefaultMaxImagePixels;
};

// Reads one split: images *.jpg/.png (either case), sorted by file name; each
// needs its label file gt_<stem>.txt in the label folder.
Dataset read_icdar2015_split(const std::string& root, Icdar2015Split split, const Icdar2015ReadOptions& opt);

}  // namespace textq::datasets
