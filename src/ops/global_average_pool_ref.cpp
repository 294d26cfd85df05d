// Reference global average pooling: dst[n,c,0,0] = (sum over H, W of x) / (H*W),
// summed in double so the result is the correctly rounded mean for any plane size.
#include "ops/op_checks.h"
#include "ops/ops_ref.h"

namespace textq {

Tensor global_average_pool_ref(const Tensor& src) {
  op_checks::require_nchw_f32(src, "GlobalAveragePool", "src");
  op_checks::require(src.dim(2) * src.dim(3) > 0, "GlobalAveragePool", "src has an empty plane " + shape_str(src.shape()));
  Tensor dst(DType::f32, {src.dim(0), src.dim(1), 1, 1});
  const float* x = src.data<float>();
  float* o = dst.data<float>();
  const int64_t planes = src.dim(0) * src.dim(1), hw = src.dim(2) * src.dim(3);
#pragma omp parallel for
  for (int64_t p = 0; p < planes; ++p) {
    double s = 0.0;
    for (int64_t i = 0; i < hw; ++i) s += x[p * hw + i];
    o[p] = static_cast<float>(s / static_cast<double>(hw));
  }
  return dst;
}

}  // namespace textq
