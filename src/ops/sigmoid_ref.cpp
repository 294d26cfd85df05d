// Reference sigmoid: 1 / (1 + exp(-x)) in f32.
#include <cmath>

#include "ops/ops_ref.h"
#include "ops/unary_ref.h"

namespace textq {

Tensor sigmoid_ref(const Tensor& src) {
  return unary_ref(src, "Sigmoid", [](float x) { return 1.f / (1.f + std::exp(-x)); });
}

}  // namespace textq
