#include "textdet/sigmoid.h"

#include <cmath>

namespace textq {

void sigmoid_f32(const float* in, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = 1.0f / (1.0f + std::exp(-in[i]));
}

}  // namespace textq
