// SCUT-CTW1500 in its raw layout -> the annotation model, the way MMOCR's
// converters read it (0.x tools/data/textdet/ctw1500_converter.py, 1.x
// CTW1500AnnParser + TextDetPacker). See docs/datasets.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "datasets/annotation.h"
#include "textdet/image_io.h"

namespace textq::datasets {

enum class Ctw1500Split { Train, Test };

// Train XML (Annotations-v2 style): <image><box left top width height>
// <label>text</label><segs>28 ints</segs>...; children read by position as
// MMOCR does. The box attributes become the COCO bbox (ints).
std::vector<TextInstance> parse_ctw1500_xml(const std::string& text, const std::string& file);

struct Ctw1500ReadOptions {
  // 1.x packers read sizes with EXIF orientation applied, the 0.x converter
  // without; the two differ only for rotated JPEGs.
  bool apply_exif_orientation = false;
  // Images whose header claims more pixels are refused (read_image_size).
  uint64_t max_image_pixels = kDefaultMaxImagePixels;
};

// Where one split lives under a CTW1500 root. Three layouts are recognised:
//   MMOCR 0.x:     imgs/{training,test}/      annotations/{training,test}/
//   MMOCR 1.x:     textdet_imgs/{train,test}/ annotations/{train,test}/
//   as downloaded: {train,test}_images/       ctw1500_{train,test}_labels/
// The json path prefixes follow MMOCR for its own layouts (0.x file_name is
// relative to imgs/, 1.x img_path to the root); for the downloaded layout
// both are relative to the root ("test_images/1001.jpg"), so eval's
// --img-root is the root.
struct Ctw1500SplitDirs {
  std::string ann_dir;          // label folder (absolute or root-relative path)
  std::string img_dir;          // image folder, "" when the split has none
  std::string mmocr0_prefix;    // file_name prefix in instances_*.json
  std::string mmocr0_segm_prefix;  // segm_file prefix in instances_*.json
  std::string mmocr1_prefix;    // img_path prefix in textdet_*.json
};
// Empty optional when the split has no label folder under `root`.
std::optional<Ctw1500SplitDirs> find_ctw1500_split(const std::string& root, Ctw1500Split split);

// Reads one split (layouts above): images *.png/.PNG/.jpg/.JPG/.jpeg/.JPEG,
// sorted by file name; labels <stem>.xml (else <stem>.txt, 32-int format) for
// train and 000<stem>.txt (else <stem>.txt) for test. Without an image folder
// the images are listed from the label files and width/height are 0. Every
// image needs its label file.
Dataset read_ctw1500_split(const std::string& root, Ctw1500Split split, const Ctw1500ReadOptions& opt);

}  // namespace textq::datasets
