// Reference HardSwish: x * min(max(x / 6 + 0.5, 0), 1) (ONNX alpha 1/6, beta 0.5).
#include "ops/ops_ref.h"
#include "ops/unary_ref.h"

namespace textq {

Tensor hard_swish_ref(const Tensor& src) {
  return unary_ref(src, "HardSwish", [](float x) {
    const float g = x / 6.f + 0.5f;
    return x * (g < 0.f ? 0.f : (g > 1.f ? 1.f : g));
  });
}

}  // namespace textq
