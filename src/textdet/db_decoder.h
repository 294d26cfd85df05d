// DB (Differentiable Binarization) probability map -> text polygons,
// reproducing MMOCR's DBPostprocessor (0.x, 1.x) or PaddleOCR's DBPostProcess
// bit for bit (DbParams::flavour). docs/db_decoder.md describes every step and
// where the three differ.
#pragma once

#include <vector>

#include "textdet/params.h"
#include "textdet/textsnake_decoder.h"

namespace textq {

struct PreprocessResult;

// prob: the H x W float32 probability map (C-contiguous). Polygons are in
// map pixels: MMOCR's before its rescale, PaddleOCR's before the
// dest_width/height scaling. Scores: the box mean as a double (MMOCR 1.x:
// rounded to float32, as its FloatTensor). Throws Error(InvalidArgument) on a
// null map, non-positive or absurd sizes, or invalid parameters.
std::vector<TextInstance> decode_db(const float* prob, int H, int W, const DbParams& p);

// Map pixels -> original image, as each reference does it:
// MMOCR 0.x / 1.x: as rescale_instances (pre.w_scale, pre.h_scale);
// PaddleOCR: round(x / map_w * ori_w) clipped to [0, ori_w] (float32 for
// quads, float64 for polygons; NumPy's round-half-to-even), y likewise.
void rescale_db_instances(std::vector<TextInstance>& inst, int map_h, int map_w, const PreprocessResult& pre,
                          const DbParams& p);

// Throws Error(InvalidArgument) naming the first parameter out of range.
void check_db_params(const DbParams& p);

}  // namespace textq
