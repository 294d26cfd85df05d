// TextSnake score maps -> text polygons, reproducing MMOCR's
// TextSnakePostprocessor (0.x and 1.x decode identically). See
// docs/textsnake_decoder.md for every step and its float details.
#pragma once

#include <vector>

#include "textdet/params.h"

namespace textq {

struct PreprocessResult;

struct TextInstance {
  std::vector<double> polygon;  // x0, y0, x1, y1, ... (closed implicitly)
  double score = 0.0;
};

// Decode statistics for callers that want to report the centralise guard.
struct DecodeStats {
  long long centralize_guard_hits = 0;  // walks stopped by max_centralize_steps
  int skipped_empty_skeletons = 0;      // components MMOCR would crash on
};

// maps: raw head output of one image, 5 x Hp x Wp float32 (channels: text
// logit, centre logit, sin, cos, radius), C-contiguous. Output polygons are in
// the padded-input pixel frame, in MMOCR's order. Throws
// Error(InvalidArgument) on non-positive or absurd sizes or a null pointer.
std::vector<TextInstance> decode_textsnake(const float* maps, int Hp, int Wp,
                                           const DecoderParams& p,
                                           DecodeStats* stats = nullptr);

// Maps padded-frame polygons to the original image as MMOCR does at test time:
// 0.x: coord * float32(1/float32(scale)); 1.x: coord * (1/scale) in double
// and the score rounded to float32. No clipping.
void rescale_instances(std::vector<TextInstance>& inst, const PreprocessResult& pre,
                       MmocrVersion v);

}  // namespace textq
