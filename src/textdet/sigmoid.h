// float32 logistic function for the decoder's score maps.
#pragma once

#include <cstddef>

namespace textq {

// out[i] = 1 / (1 + exp(-in[i])) in float32 (in == out allowed).
// MMOCR uses torch.sigmoid, whose CPU kernels (SLEEF exp, AVX2/AVX-512
// paths, scalar tail) differ from this by a few ulp on some inputs, so a
// value within ~1e-7 of a threshold can land on the other side.
void sigmoid_f32(const float* in, float* out, size_t n);

}  // namespace textq
