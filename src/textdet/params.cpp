#include "textdet/params.h"

namespace textq {

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

const char* paddle_limit_type_name(PaddleLimitType t) {
  switch (t) {
    case PaddleLimitType::Max: return "max";
    case PaddleLimitType::Min: return "min";
    case PaddleLimitType::ResizeLong: return "resize_long";
  }
  return "?";
}

bool parse_paddle_limit_type(const std::string& s, PaddleLimitType* out) {
  for (PaddleLimitType t : {PaddleLimitType::Max, PaddleLimitType::Min, PaddleLimitType::ResizeLong})
    if (s == paddle_limit_type_name(t)) {
      *out = t;
      return true;
    }
  return false;
}

}  // namespace textq
