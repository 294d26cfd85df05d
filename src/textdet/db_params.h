// Parameters of the DB (Differentiable Binarization) decoder and which
// reference's arithmetic it reproduces. docs/db_decoder.md lists every step.
#pragma once

#include <string>

namespace textq {

enum class DbFlavour {
  Mmocr0 = 0,  // MMOCR 0.6 DBPostprocessor + HeadMixin.resize_boundary
  Mmocr1 = 1,  // MMOCR 1.x DBPostprocessor + BaseTextDetPostProcessor.rescale
  Paddle = 2,  // PaddleOCR DBPostProcess (rescale to the source image inside)
};

enum class DbBoxType { Quad = 0, Poly = 1 };  // MMOCR text_repr_type / PaddleOCR box_type

struct DbParams {
  DbFlavour flavour = DbFlavour::Paddle;
  DbBoxType box_type = DbBoxType::Quad;
  // MMOCR mask_thr / PaddleOCR thresh. Both compare the float32 map with the
  // threshold rounded to float32 (torch / NumPy scalar casting), so it is one.
  float mask_thr = 0.3f;
  double min_text_score = 0.6;  // MMOCR min_text_score / PaddleOCR box_thresh
  double min_text_width = 5;    // MMOCR only (PaddleOCR: fixed min_size 3, +2 after unclip)
  double unclip_ratio = 1.5;
  double epsilon_ratio = 0.01;  // MMOCR only (PaddleOCR's poly mode: fixed 0.002)
  int max_candidates = 1000;    // MMOCR looks at max_candidates + 1 contours, PaddleOCR at max_candidates
  bool use_dilation = false;    // PaddleOCR only: 2x2 dilation of the text mask
  bool score_slow = false;      // PaddleOCR score_mode slow: mean inside the contour, not its box
};

// The defaults each reference runs its released detectors with: PaddleOCR's
// PP-OCR inference (thresh 0.3, box_thresh 0.6, unclip 1.5, 1000 candidates,
// quad, fast score); MMOCR's DBNet configs (quad, mask_thr 0.3,
// min_text_score 0.3, min_text_width 5, unclip 1.5, epsilon 0.01, 3000).
DbParams db_defaults(DbFlavour flavour);

const char* db_flavour_name(DbFlavour f);   // "mmocr0", "mmocr1", "paddle"
const char* db_box_type_name(DbBoxType b);  // "quad", "poly"
// Parse the names above; false if unknown.
bool parse_db_flavour(const std::string& s, DbFlavour* out);
bool parse_db_box_type(const std::string& s, DbBoxType* out);

}  // namespace textq
