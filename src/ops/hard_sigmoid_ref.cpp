// Reference HardSigmoid: min(max(alpha * x + beta, 0), 1); NaN stays NaN.
#include "ops/ops_ref.h"
#include "ops/unary_ref.h"

namespace textq {

Tensor hard_sigmoid_ref(const Tensor& src, float alpha, float beta) {
  return unary_ref(src, "HardSigmoid", [alpha, beta](float x) {
    const float y = alpha * x + beta;
    return y < 0.f ? 0.f : (y > 1.f ? 1.f : y);
  });
}

}  // namespace textq
