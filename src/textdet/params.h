// Pre- and post-processing parameters stored in the textq model file and
// overridable on the command line. Two pre-processing kinds (MMOCR's keep-ratio
// resize + normalise + pad; PaddleOCR's DetResizeForTest + NormalizeImage) and
// two decoders (TextSnake; DB, see db_params.h).
#pragma once

#include "textdet/db_params.h"

namespace textq {

// Which MMOCR version's arithmetic to reproduce (see docs/textsnake.md).
enum class MmocrVersion { v0 = 0, v1 = 1 };

enum class PreprocessKind {
  Mmocr = 0,            // Resize(keep_ratio) into scale_long x scale_short, Normalize, Pad
  PaddleDetResize = 1,  // PaddleOCR DetResizeForTest (limit_type) + NormalizeImage + ToCHWImage
};

// PaddleOCR DetResizeForTest's limit_type.
enum class PaddleLimitType { Max = 0, Min = 1, ResizeLong = 2 };
const char* paddle_limit_type_name(PaddleLimitType t);  // "max", "min", "resize_long"
bool parse_paddle_limit_type(const std::string& s, PaddleLimitType* out);  // false if unknown

struct PreprocessParams {
  PreprocessKind kind = PreprocessKind::Mmocr;
  // -- mmocr (TextSnake ctw1500 / DBNet configs)
  int scale_long = 1333;   // resize box: long side limit
  int scale_short = 736;   //             short side limit
  // Both kinds: per output channel (RGB when to_rgb, else the image's BGR).
  float mean[3] = {123.675f, 116.28f, 103.53f};
  float std[3] = {58.395f, 57.12f, 57.375f};
  bool to_rgb = true;
  int pad_divisor = 32;
  MmocrVersion version = MmocrVersion::v0;
  // -- paddle_det_resize
  int limit_side_len = 960;
  PaddleLimitType limit_type = PaddleLimitType::Max;
  int max_side_limit = 4000;   // upstream since 2025; older PaddleOCR has none (set it huge)
  float scale = 1.0f / 255.0f; // NormalizeImage scale, float32 as np.float32(1./255.)
};

// PaddleOCR's PP-OCR detection inference pre-processing (tools/infer/predict_det.py):
// limit_type max, limit_side_len 960, ImageNet mean/std in [0, 1] applied to the BGR planes.
PreprocessParams paddle_det_preprocess_defaults();

enum class DecoderKind { TextSnake = 0, Db = 1 };

struct DecoderParams {
  DecoderKind kind = DecoderKind::TextSnake;
  // -- textsnake
  float min_center_region_confidence = 0.2f;
  double min_center_area = 30.0;
  double disk_overlap_thr = 0.03;
  double radius_shrink_ratio = 1.03;
  float min_text_region_confidence = 0.6f;  // unused by MMOCR's decoder; kept for fidelity
  // Guard against MMOCR's endless centralise walk (radius 0): a walk longer
  // than this many steps stops where it is. MMOCR never terminates there.
  long long max_centralize_steps = 100000;
  MmocrVersion version = MmocrVersion::v0;
  // -- db
  DbParams db;
};

}  // namespace textq
