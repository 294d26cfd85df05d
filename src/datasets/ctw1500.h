// SCUT-CTW1500 in its raw layout -> the annotation model, the way MMOCR's
// converters read it (0.x tools/data/textdet/ctw1500_converter.py, 1.x
// CTW1500AnnParser + TextDetPacker). See docs/datasets.md.
#pragma once

#include <string>

#include "datasets/annotation.h"

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
};

// Reads one split under `root`:
//   images: imgs/{training,test}/ (0.x layout) or textdet_imgs/{train,test}/
//           (*.png/.PNG/.jpg/.JPG/.jpeg/.JPEG, sorted by file name);
//   labels: annotations/{training|train}/<stem>.xml (else <stem>.txt, 32-int
//           format) and annotations/test/000<stem>.txt (else <stem>.txt).
// Without an image folder the images are listed from the label files and
// width/height are 0. Every image needs its label file.
Dataset read_ctw1500_split(const std::string& root, Ctw1500Split split, const Ctw1500ReadOptions& opt);

}  // namespace textq::datasets
