// Pre- and post-processing parameters of TextSnake (MMOCR's CTW1500 config
// defaults). Stored in the textq model file; overridable on the command line.
#pragma once

namespace textq {

// Which MMOCR version's arithmetic to reproduce (see docs/textsnake.md).
enum class MmocrVersion { v0 = 0, v1 = 1 };

struct PreprocessParams {
  int scale_long = 1333;   // resize box: long side limit
  int scale_short = 736;   //             short side limit
  float mean[3] = {123.675f, 116.28f, 103.53f};  // RGB order
  float std[3] = {58.395f, 57.12f, 57.375f};     // RGB order
  bool to_rgb = true;
  int pad_divisor = 32;
  MmocrVersion version = MmocrVersion::v0;
};

struct DecoderParams {
  float min_center_region_confidence = 0.2f;
  double min_center_area = 30.0;
  double disk_overlap_thr = 0.03;
  double radius_shrink_ratio = 1.03;
  float min_text_region_confidence = 0.6f;  // unused by MMOCR's decoder; kept for fidelity
  // Guard against MMOCR's endless centralise walk (radius 0): a walk longer
  // than this many steps stops where it is. MMOCR never terminates there.
  long long max_centralize_steps = 100000;
  MmocrVersion version = MmocrVersion::v0;
};

}  // namespace textq
