#include "textdet/db_params.h"

#include "textdet/params.h"

namespace textq {

DbParams db_defaults(DbFlavour flavour) {
  DbParams p;
  p.flavour = flavour;
  if (flavour == DbFlavour::Paddle) return p;  // the struct's defaults are PP-OCR's
  p.min_text_score = 0.3;
  p.max_candidates = 3000;
  return p;
}

PreprocessParams paddle_det_preprocess_defaults() {
  PreprocessParams p;
  p.kind = PreprocessKind::PaddleDetResize;
  const float mean[3] = {0.485f, 0.456f, 0.406f}, stdv[3] = {0.229f, 0.224f, 0.225f};
  for (int c = 0; c < 3; ++c) {
    p.mean[c] = mean[c];
    p.std[c] = stdv[c];
  }
  p.to_rgb = false;  // PaddleOCR normalises cv2.imread's BGR planes with these (RGB-ordered) numbers
  p.pad_divisor = 32;
  return p;
}

const char* db_flavour_name(DbFlavour f) {
  switch (f) {
    case DbFlavour::Mmocr0: return "mmocr0";
    case DbFlavour::Mmocr1: return "mmocr1";
    case DbFlavour::Paddle: return "paddle";
  }
  return "?";
}

const char* db_box_type_name(DbBoxType b) { return b == DbBoxType::Quad ? "quad" : "poly"; }

bool parse_db_flavour(const std::string& s, DbFlavour* out) {
  for (DbFlavour f : {DbFlavour::Mmocr0, DbFlavour::Mmocr1, DbFlavour::Paddle})
    if (s == db_flavour_name(f)) {
      *out = f;
      return true;
    }
  return false;
}

bool parse_db_box_type(const std::string& s, DbBoxType* out) {
  for (DbBoxType b : {DbBoxType::Quad, DbBoxType::Poly})
    if (s == db_box_type_name(b)) {
      *out = b;
      return true;
    }
  return false;
}

}  // namespace textq
