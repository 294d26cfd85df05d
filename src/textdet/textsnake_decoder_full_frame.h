// Internal: the reference (full-frame, slow) TextSnake decode. Same contract
// and results as decode_textsnake; used only by tests and benchmarks.
#pragma once

#include <vector>

#include "textdet/textsnake_decoder.h"

namespace textq {

std::vector<TextInstance> decode_textsnake_full_frame(const float* maps, int Hp, int Wp,
                                                      const DecoderParams& p,
                                                      DecodeStats* stats = nullptr);

}  // namespace textq
