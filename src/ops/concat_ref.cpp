// Reference channel concat: dst = [srcs[0] | srcs[1] | ...] along dim 1.
#include <cstring>

#include "ops/op_checks.h"
#include "ops/ops_ref.h"

namespace textq {

Tensor concat_ref(const std::vector<const Tensor*>& srcs) {
  using op_checks::require;
  const char* op = "Concat";
  require(!srcs.empty(), op, "needs at least one input");
  for (const Tensor* t : srcs) {
    require(t != nullptr, op, "null input");
    op_checks::require_nchw_f32(*t, op, "input");
  }
  const int64_t N = srcs[0]->dim(0), H = srcs[0]->dim(2), W = srcs[0]->dim(3);
  int64_t C = 0;
  for (size_t i = 0; i < srcs.size(); ++i) {
    const Tensor& t = *srcs[i];
    require(t.dim(0) == N && t.dim(2) == H && t.dim(3) == W, op,
            "input " + std::to_string(i) + " " + shape_str(t.shape()) + " does not match input 0 " +
                shape_str(srcs[0]->shape()) + " in N, H, W");
    C += t.dim(1);
  }
  Tensor dst(DType::f32, {N, C, H, W});
  float* out = dst.data<float>();
  const int64_t plane = H * W;
  for (int64_t n = 0; n < N; ++n) {
    int64_t c0 = 0;
    for (const Tensor* t : srcs) {
      const int64_t tc = t->dim(1);
      std::memcpy(out + (n * C + c0) * plane, t->data<float>() + n * tc * plane, sizeof(float) * tc * plane);
      c0 += tc;
    }
  }
  return dst;
}

}  // namespace textq
