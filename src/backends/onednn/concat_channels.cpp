// Compiled with -mavx512f -mavx512bw (CMakeLists.txt); callers check
// concat_channels_supported().
#include "backends/onednn/concat_channels.h"

#include <immintrin.h>
#include <omp.h>

namespace textq::onednn {

namespace {

// Copies `bytes` bytes: 64-byte moves, then one masked move for the rest.
inline void copy_bytes(uint8_t* dst, const uint8_t* src, size_t bytes) {
  size_t i = 0;
  for (; i + 64 <= bytes; i += 64) _mm512_storeu_si512(dst + i, _mm512_loadu_si512(src + i));
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

}  // namespace textq::onednn
