// Winograd F(4x4, 3x3) on NHWC activations (see winograd_f43.h): the
// AVX-512 vector traits of winograd_f43_impl.h, f32 and bf16. Compiled with
// -mavx512f -mavx512bw -mavx512vl -mavx512bf16 -mfma (CMakeLists.txt):
// nothing here runs before the callers' ISA checks (winograd_f43.cpp).
#include <immintrin.h>

#include <cstring>

#include "backends/onednn/winograd_f43_impl.h"

namespace textq::onednn {

namespace {

__mmask16 tail_mask(int64_t remaining) {
  return remaining >= 16 ? static_cast<__mmask16>(0xFFFF)
                         : remaining <= 0 ? static_cast<__mmask16>(0) : static_cast<__mmask16>((1u << remaining) - 1);
}

// c[rows][NV*16] = a[rows][k] (row stride lda) x b[k][NV*16].
template <int R, int NV>
void gemm_kernel(const float* a, int64_t lda, const float* b, int64_t k, float* c, int64_t ldc) {
  __m512 acc[R][NV];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_setzero_ps();
  for (int64_t p = 0; p < k; ++p) {
    __m512 bv[NV];
    for (int j = 0; j < NV; ++j) bv[j] = _mm512_loadu_ps(b + p * NV * 16 + j * 16);
    for (int i = 0; i < R; ++i) {
      const __m512 av = _mm512_set1_ps(a[i * lda + p]);
      for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
    }
  }
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < NV; ++j) _mm512_store_ps(c + i * ldc + j * 16, acc[i][j]);
}

// bf16 tiles and weights (vdpbf16ps, f32 accumulation): a holds tile rows of
// bf16 channels (pairs read as one 32-bit word), b the weights as
// [k/2][NV*16][2] (two input channels side by side per output channel).
template <int R, int NV>
void gemm_kernel(const uint16_t* a, int64_t lda, const uint16_t* b, int64_t k, float* c, int64_t ldc) {
  __m512 acc[R][NV];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_setzero_ps();
  for (int64_t p = 0; p < k; p += 2) {
    __m512bh bv[NV];
    for (int j = 0; j < NV; ++j)
      bv[j] = reinterpret_cast<__m512bh>(_mm512_loadu_si512(b + p * NV * 16 + j * 32));
    for (int i = 0; i < R; ++i) {
      int32_t pair;
      std::memcpy(&pair, a + i * lda + p, sizeof pair);
      const __m512bh av = reinterpret_cast<__m512bh>(_mm512_set1_epi32(pair));
      for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], av, bv[j]);
    }
  }
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < NV; ++j) _mm512_store_ps(c + i * ldc + j * 16, acc[i][j]);
}

struct Avx512 {
  using V = __m512;
  static constexpr int kWidth = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float x) { return _mm512_set1_ps(x); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V fnmadd(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }
  // Activations and transformed tiles are f32, or bf16 (uint16_t bits) in bf16 mode.
  static V load(const float* p, int64_t n) { return _mm512_maskz_loadu_ps(tail_mask(n), p); }
  static V load(const uint16_t* p, int64_t n) {
    const __m256i h = _mm256_maskz_loadu_epi16(tail_mask(n), p);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
  static void store(float* p, int64_t n, V v) { _mm512_mask_storeu_ps(p, tail_mask(n), v); }
  static void store(uint16_t* p, int64_t n, V v) {  // round to nearest even
    _mm256_mask_storeu_epi16(p, tail_mask(n), reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(v)));
  }
  static V load_aligned(const float* p) { return _mm512_load_ps(p); }
  // c[rows][width] = a[rows][k] x b[k][width], width a multiple of 16 up to 64 (one panel).
  template <class T>
  static void gemm_panel(int rows, const T* a, int64_t lda, const T* b, int64_t width, int64_t k, float* c, int64_t ldc) {
    switch (width / 16) {
      case 4: gemm_rows<4>(rows, a, lda, b, k, c, ldc); break;
      case 3: gemm_rows<3>(rows, a, lda, b, k, c, ldc); break;
      case 2: gemm_rows<2>(rows, a, lda, b, k, c, ldc); break;
      default: gemm_rows<1>(rows, a, lda, b, k, c, ldc); break;
    }
  }
  template <int NV, class T>
  static void gemm_rows(int rows, const T* a, int64_t lda, const T* b, int64_t k, float* c, int64_t ldc) {
    switch (rows) {
      case 6: gemm_kernel<6, NV>(a, lda, b, k, c, ldc); break;
      case 5: gemm_kernel<5, NV>(a, lda, b, k, c, ldc); break;
      case 4: gemm_kernel<4, NV>(a, lda, b, k, c, ldc); break;
      case 3: gemm_kernel<3, NV>(a, lda, b, k, c, ldc); break;
      case 2: gemm_kernel<2, NV>(a, lda, b, k, c, ldc); break;
      default: gemm_kernel<1, NV>(a, lda, b, k, c, ldc); break;
    }
  }
};

}  // namespace

void winograd_f43_run_avx512(const WinogradGeometry& g, int threads, const float* src, const float* weights,
                             const float* bias, const float* residual, bool relu, float* dst, float* scratch) {
  wino::run<Avx512>(g, threads, src, weights, bias, residual, relu, dst, scratch);
}
void winograd_f43_run_bf16(const WinogradGeometry& g, int threads, const uint16_t* src, const float* weights,
                           const float* bias, const uint16_t* residual, bool relu, uint16_t* dst, float* scratch) {
  wino::run<Avx512>(g, threads, src, weights, bias, residual, relu, dst, scratch);
}

void winograd_f43_run_bf16_gemm(const WinogradGeometry& g, int threads, const uint16_t* src, const uint16_t* weights,
                                const float* bias, const uint16_t* residual, bool relu, uint16_t* dst, float* scratch) {
  wino::run<Avx512>(g, threads, src, weights, bias, residual, relu, dst, scratch);
}

}  // namespace textq::onednn
