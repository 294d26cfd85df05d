// Winograd F(4x4, 3x3) on NHWC f32 for CPUs with AVX2 and FMA but not
// AVX-512 (see winograd_f43.h): the AVX2 vector traits of winograd_f43_impl.h.
// Compiled with -mavx2 -mfma (CMakeLists.txt); winograd_f43_run calls it
// after its own ISA check. The weights are the same panels of 64 output
// channels; the micro-kernel takes 16 of them at a time (6 tiles x 2 ymm
// accumulators, within AVX2's 16 registers).
#include <immintrin.h>

#include "backends/onednn/winograd_f43_impl.h"

namespace textq::onednn {

namespace {

// One row of the micro-kernel: c0/c1 += a[p] x b0/b1.
#define TEXTQ_WINO_ROW(i)                                        \
  if constexpr (R > i) {                                         \
    const __m256 av = _mm256_broadcast_ss(a + i * lda + p);      \
    c##i##0 = _mm256_fmadd_ps(av, b0, c##i##0);                  \
    c##i##1 = _mm256_fmadd_ps(av, b1, c##i##1);                  \
  }
#define TEXTQ_WINO_STORE(i)                                      \
  if constexpr (R > i) {                                         \
    _mm256_store_ps(c + i * ldc, c##i##0);                       \
    _mm256_store_ps(c + i * ldc + 8, c##i##1);                   \
  }

// c[R][16] = a[R][k] x b[k][16 of a row of width ldb]. The 12 accumulators
// are named variables, not an array: GCC kept an array of them on the stack
// and stored every one after each FMA (a third of the kernel's time).
template <int R>
void gemm_kernel(const float* a, int64_t lda, const float* b, int64_t ldb, int64_t k, float* c, int64_t ldc) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
         c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int64_t p = 0; p < k; ++p) {
    const __m256 b0 = _mm256_loadu_ps(b + p * ldb), b1 = _mm256_loadu_ps(b + p * ldb + 8);
    TEXTQ_WINO_ROW(0)
    TEXTQ_WINO_ROW(1)
    TEXTQ_WINO_ROW(2)
    TEXTQ_WINO_ROW(3)
    TEXTQ_WINO_ROW(4)
    TEXTQ_WINO_ROW(5)
  }
  TEXTQ_WINO_STORE(0)
  TEXTQ_WINO_STORE(1)
  TEXTQ_WINO_STORE(2)
  TEXTQ_WINO_STORE(3)
  TEXTQ_WINO_STORE(4)
  TEXTQ_WINO_STORE(5)
}
#undef TEXTQ_WINO_ROW
#undef TEXTQ_WINO_STORE

// Lanes [0, n) of 8 (none when n <= 0).
__m256i lanes(int64_t n) {
  const int m = static_cast<int>(std::min<int64_t>(std::max<int64_t>(n, 0), 8));
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(m), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

struct Avx2 {
  using V = __m256;
  static constexpr int kWidth = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(float x) { return _mm256_set1_ps(x); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V fnmadd(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
  static V load(const float* p, int64_t n) { return n >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, lanes(n)); }
  static void store(float* p, int64_t n, V v) {
    if (n >= 8)
      _mm256_storeu_ps(p, v);
    else
      _mm256_maskstore_ps(p, lanes(n), v);
  }
  static V load_aligned(const float* p) { return _mm256_load_ps(p); }
  static void gemm_panel(int rows, const float* a, int64_t lda, const float* b, int64_t width, int64_t k, float* c,
                         int64_t ldc) {
    for (int64_t j = 0; j < width; j += 16) {
      switch (rows) {
        case 6: gemm_kernel<6>(a, lda, b + j, width, k, c + j, ldc); break;
        case 5: gemm_kernel<5>(a, lda, b + j, width, k, c + j, ldc); break;
        case 4: gemm_kernel<4>(a, lda, b + j, width, k, c + j, ldc); break;
        case 3: gemm_kernel<3>(a, lda, b + j, width, k, c + j, ldc); break;
        case 2: gemm_kernel<2>(a, lda, b + j, width, k, c + j, ldc); break;
        default: gemm_kernel<1>(a, lda, b + j, width, k, c + j, ldc); break;
      }
    }
  }
};

}  // namespace

void winograd_f43_run_avx2(const WinogradGeometry& g, int threads, const float* src, const float* weights,
                           const float* bias, const float* residual, bool relu, float* dst, float* scratch) {
  wino::run<Avx2>(g, threads, src, weights, bias, residual, relu, dst, scratch);
}

}  // namespace textq::onednn
