// One padded input row for our INT8 kernels (conv_int8_narrow.h,
// conv_int8_stem.h), which multiply u8 sources by s8 weights with vpdpbusd:
// an s8 source is shifted by +128 on the way (its kernel takes 128 * sum(w)
// off again, s8_shift_compensation in conv_quant.h), and the padding is the
// shifted zero (0 for u8, 128 for s8). Include only from files compiled with
// -mavx512f -mavx512bw (int8_kernel.h holds what the lowering side shares).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace textq::onednn {

// out[0, left) and out[left + body, total): the zero; out[left, left + body):
// in[0, body), flipped by 0x80 when s8. in == nullptr: a row of padding.
inline void pad_int8_row(const uint8_t* in, int64_t left, int64_t body, int64_t total, bool s8, uint8_t* out) {
  const uint8_t zero = s8 ? 0x80 : 0x00;
  if (!in) {
    std::memset(out, zero, static_cast<size_t>(total));
    return;
  }
  std::memset(out, zero, static_cast<size_t>(left));
  if (!s8) {
    std::memcpy(out + left, in, static_cast<size_t>(body));
  } else {
    const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
    int64_t i = 0;
    for (; i + 64 <= body; i += 64)
      _mm512_storeu_si512(out + left + i, _mm512_xor_si512(_mm512_loadu_si512(in + i), flip));
    if (i < body) {
      const __mmask64 m = _cvtu64_mask64(~0ull >> (64 - (body - i)));
      _mm512_mask_storeu_epi8(out + left + i, m, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, in + i), flip));
    }
  }
  std::memset(out + left + body, zero, static_cast<size_t>(total - left - body));
}

}  // namespace textq::onednn
