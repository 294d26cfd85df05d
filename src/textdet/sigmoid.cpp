#include "textdet/sigmoid.h"

namespace textq {

void sigmoid_f32(const float* in, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = sigmoid1_f32(in[i]);
}

}  // namespace textq
