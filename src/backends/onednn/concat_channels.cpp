// Compiled with -mavx512f -mavx512bw (CMakeLists.txt); callers check
// concat_channels_supported().
#include "backends/onednn/concat_channels.h"

#include <immintrin.h>
#include <omp.h>

namespace textq::onednn {

namespace {

// Copies `bytes` bytes: 64-byte moves, then a 32- and a 16-byte move, then
// one masked move for the rest (masked stores are slow on AMD cores, so
// channel counts that are multiples of 16 bytes never take one).
inline void copy_bytes(uint8_t* dst, const uint8_t* src, size_t bytes) {
  size_t i = 0;
  for (; i + 64 <= bytes; i += 64) _mm512_storeu_si512(dst + i, _mm512_loadu_si512(src + i));
  if (i + 32 <= bytes) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i)));
    i += 32;
  }
  if (i + 16 <= bytes) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)));
    i += 16;
  }
  if (i < bytes) {
    const __mmask64 m = _bzhi_u64(~0ull, static_cast<unsigned>(bytes - i));
    _mm512_mask_storeu_epi8(dst + i, m, _mm512_maskz_loadu_epi8(m, src + i));
  }
}

}  // namespace

bool concat_channels_supported() { return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("bmi2"); }

void concat_channels(const std::vector<ConcatPart>& parts, int64_t pixels, void* dst, size_t row, int threads) {
  uint8_t* out = static_cast<uint8_t*>(dst);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t px = 0; px < pixels; ++px) {
    uint8_t* d = out + static_cast<size_t>(px) * row;
    for (const ConcatPart& p : parts)
      copy_bytes(d + p.offset, static_cast<const uint8_t*>(p.src) + static_cast<size_t>(px) * p.bytes, p.bytes);
  }
}

void copy_pixels_strided(const void* src, int64_t n, int64_t h, int64_t w, size_t pixel_bytes, void* dst,
                         size_t image_stride, size_t row_stride, size_t pixel_stride, int threads) {
  const uint8_t* in = static_cast<const uint8_t*>(src);
  uint8_t* out = static_cast<uint8_t*>(dst);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < n * h; ++r) {
    const uint8_t* s = in + static_cast<size_t>(r * w) * pixel_bytes;
    uint8_t* d = out + static_cast<size_t>(r / h) * image_stride + static_cast<size_t>(r % h) * row_stride;
    for (int64_t x = 0; x < w; ++x) copy_bytes(d + static_cast<size_t>(x) * pixel_stride, s + static_cast<size_t>(x) * pixel_bytes, pixel_bytes);
  }
}

}  // namespace textq::onednn
