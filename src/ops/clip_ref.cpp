// Reference Clip: min(max(x, lo), hi); NaN stays NaN (the comparisons are false).
#include "ops/ops_ref.h"
#include "ops/unary_ref.h"

namespace textq {

Tensor clip_ref(const Tensor& src, float lo, float hi) {
  op_checks::require(!(lo > hi), "Clip", "min must not exceed max");
  return unary_ref(src, "Clip", [lo, hi](float x) { return x < lo ? lo : (x > hi ? hi : x); });
}

}  // namespace textq
