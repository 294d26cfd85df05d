// float32 logistic function for the decoder's score maps.
#pragma once

#include <cmath>
#include <cstddef>

namespace textq {

// 1 / (1 + exp(-x)) in float32. The one formula every decoder path uses, so a
// value computed lazily for one pixel has the bits of the whole-map pass.
inline float sigmoid1_f32(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// out[i] = sigmoid1_f32(in[i]) (in == out allowed).
// MMOCR uses torch.sigmoid, whose CPU kernels (SLEEF exp, AVX2/AVX-512
// paths, scalar tail) differ from this by a few ulp on some inputs, so a
// value within ~1e-7 of a threshold can land on the other side.
void sigmoid_f32(const float* in, float* out, size_t n);

}  // namespace textq
