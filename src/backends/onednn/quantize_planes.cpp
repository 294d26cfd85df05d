// f32 NCHW planes -> u8/s8 NHWC (quantize_planes.h). Compiled with
// -mavx512f -mavx512bw -mavx512vbmi; callers check quantize_planes_supported().
#include "backends/onednn/quantize_planes.h"

#include <immintrin.h>
#include <omp.h>

namespace textq::onednn {

bool quantize_planes_supported() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vbmi");
}

namespace {

// 16 values of one plane -> 16 bytes in the low lane of a 128-bit vector.
// Clamped before converting, as oneDNN does, so values beyond int32
// saturate. vmaxps/vminps return their second operand for NaN, and the order
// is oneDNN's: s8 clamps the top first (NaN -> 127), u8 the bottom (NaN -> 0).
template <bool Signed>
inline __m128i quantize16(const float* p, __mmask16 m, __m512 scale, __m512 lo, __m512 hi) {
  __m512 x = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, p), scale);
  x = Signed ? _mm512_max_ps(_mm512_min_ps(x, hi), lo) : _mm512_min_ps(_mm512_max_ps(x, lo), hi);
  return _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(x));  // round to nearest even (MXCSR default)
}

template <bool Signed>
void quantize_planes_as(const float* src, int64_t n, int64_t c, int64_t h, int64_t w, float scale, void* dst,
                        int threads) {
  const __m512 vscale = _mm512_set1_ps(scale);
  const __m512 lo = _mm512_set1_ps(Signed ? -128.f : 0.f), hi = _mm512_set1_ps(Signed ? 127.f : 255.f);
  // Byte i*c + k of a 16-pixel group comes from plane k's byte i (plane k at 16k).
  alignas(64) uint8_t order[64] = {};
  for (int64_t i = 0; i < 16; ++i)
    for (int64_t k = 0; k < c; ++k) order[i * c + k] = static_cast<uint8_t>(k * 16 + i);
  const __m512i perm = _mm512_load_si512(order);
  const int64_t rows = n * h, plane = h * w;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t img = r / h, y = r % h;
    const float* in = src + img * c * plane + y * w;
    uint8_t* out = static_cast<uint8_t*>(dst) + r * w * c;
    for (int64_t x = 0; x < w; x += 16) {
      const int64_t count = w - x < 16 ? w - x : 16;
      const __mmask16 m = static_cast<__mmask16>((1u << count) - 1u);
      __m128i q[4] = {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
      for (int64_t k = 0; k < c; ++k) q[k] = quantize16<Signed>(in + k * plane + x, m, vscale, lo, hi);
      const __m512i all = _mm512_inserti64x4(
          _mm512_castsi256_si512(_mm256_inserti128_si256(_mm256_castsi128_si256(q[0]), q[1], 1)),
          _mm256_inserti128_si256(_mm256_castsi128_si256(q[2]), q[3], 1), 1);
      const __m512i bytes = _mm512_permutexvar_epi8(perm, all);
      const int64_t nbytes = count * c;
      const __mmask64 store = nbytes >= 64 ? ~__mmask64{0} : (__mmask64{1} << nbytes) - 1;
      _mm512_mask_storeu_epi8(out + x * c, store, bytes);
    }
  }
}

}  // namespace

void quantize_planes(const float* src, int64_t n, int64_t c, int64_t h, int64_t w, float scale, bool is_signed,
                     void* dst, int threads) {
  if (is_signed) quantize_planes_as<true>(src, n, c, h, w, scale, dst, threads);
  else quantize_planes_as<false>(src, n, c, h, w, scale, dst, threads);
}

}  // namespace textq::onednn
