#include "textdet/db_params.h"

namespace textq {

DbParams db_defaults(DbFlavour flavour) {
  DbParams p;
  p.flavour = flavour;
  if (flavour == DbFlavour::Paddle) return p;  // the struct's defaults are PP-OCR's
  p.min_text_score = 0.3;
  p.max_candidates = 3000;
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
