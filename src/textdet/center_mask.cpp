#include "textdet/center_mask.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "textdet/sigmoid.h"


namespace textq {
namespace {

// A logit bound L with: x <= L  =>  sigmoid1_f32(x) < thr.
// Proof: computed S = fl(s1 * s0) with s0, s1 in [0, 1] (1/(1+e) with
// 1+e >= 1), so S <= min(s0, s1) (a product by a factor <= 1 rounds to at most
// the other factor). For x <= L = logit(thr) - 0.05 the exact logistic is below
// thr / (1 + (1-thr)(e^0.05 - 1)), i.e. at least 5e-5 relative under thr for
// thr <= 0.999, while expf (< 1 ulp), the add and the divide move the float32
// result by < 4e-7 relative. Outside [1e-3, 0.999] no shortcut is taken.
// NaN logits fail `x <= L` and are evaluated exactly.
bool shortcut_bound(float thr, float* bound) {
  if (!(thr >= 1e-3f && thr <= 0.999f)) return false;
  const double t = thr;
  *bound = static_cast<float>(std::log(t / (1.0 - t)) - 0.05);
  return true;
}

// exp(x) for x clamped to [-87, 88] (NaN to -87), within 1e-6 relative of the true value:
// 2^k * p(r), k = round(x / ln 2), r = x - k ln 2 (two-part ln 2, |r| <= 0.35),
// p Cephes' degree-7 expf polynomial (2e-7 relative on that interval) plus a
// few float roundings. Plain float arithmetic so the loop below vectorises.
inline float exp_near(float x) {
  x = x > -87.0f ? x : -87.0f;  // NaN becomes -87: the integer conversion below stays defined
  x = x < 88.0f ? x : 88.0f;
  const float round_magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const float k = (x * 1.44269504f + round_magic) - round_magic;
  const float r = (x - k * 0.693359375f) - k * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  const uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(k) + 127) << 23;  // 2^k, k in [-126, 127]
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// One row of the mask, undecided pixels marked 2: S > thr  <=>  q < 1/thr
// with q = (1 + e^-P1)(1 + e^-P0) = 1/S. q from exp_near is within 3e-6
// relative of the exact q, and the float32 S of sigmoid1_f32 (expf < 1 ulp,
// then an add, a divide and a product) within 6e-7 relative of the exact S,
// so q below q_pass = (1 - 1e-4)/thr passes and q above q_fail = (1 + 1e-4)/thr
// fails with a wide margin; the pixels in between (and NaN logits) are left
// for the exact formula. Returns the OR of the row's bytes. Compiled for
// AVX-512 and AVX2 too, chosen at load time.
__attribute__((target_clones("avx512f", "avx2", "default")))
unsigned classify_row(const float* text_logit, const float* center_logit, int w, float q_pass,
                      float q_fail, uint8_t* out) {
  unsigned acc = 0;
  for (int x = 0; x < w; ++x) {
    const float t = text_logit[x], c = center_logit[x];
    const float q = (1.0f + exp_near(-c)) * (1.0f + exp_near(-t));
    // 1 pass, 0 fail, 2 undecided; branch-free for the vectoriser.
    const unsigned pass = q < q_pass, fail = q > q_fail, numbers = (t == t) & (c == c);
    const unsigned v = 2u - (pass | fail) * numbers * (2u - pass);
    out[x] = static_cast<uint8_t>(v);
    acc |= v;
  }
  return acc;
}

}  // namespace

CenterMask center_region_mask(const float* text_logit, const float* center_logit, int h, int w,
                              float thr) {
  CenterMask out;
  out.mask.create(h, w, CV_8U);
  float bound = -std::numeric_limits<float>::infinity();
  // Same range as the bound: inside it 1/thr is finite and the margin of
  // classify_row holds; outside every pixel takes the formula.
  const bool use_bound = shortcut_bound(thr, &bound);
  const float q_pass = static_cast<float>((1.0 - 1e-4) / thr);
  const float q_fail = static_cast<float>((1.0 + 1e-4) / thr);
  int y0 = h, y1 = -1, x0 = w, x1 = -1;
  for (int y = 0; y < h; ++y) {
    const float* t = text_logit + static_cast<size_t>(y) * w;
    const float* c = center_logit + static_cast<size_t>(y) * w;
    uint8_t* m = out.mask.ptr<uint8_t>(y);
    unsigned acc = 2;  // without the range: every pixel undecided
    if (use_bound) {
      // Rows where no pixel can pass (trained models' background) skip the exps.
      // (NaN logits count as possible, as in classify_row.)
      unsigned any = 0;
      for (int x = 0; x < w; ++x) any |= static_cast<unsigned>(!(t[x] <= bound)) & static_cast<unsigned>(!(c[x] <= bound));
      if (!any) {
        std::fill(m, m + w, uint8_t{0});
        continue;
      }
      acc = classify_row(t, c, w, q_pass, q_fail, m);
    } else {
      std::fill(m, m + w, uint8_t{2});
    }
    if (acc & 2) {
      for (int x = 0; x < w; ++x)
        if (m[x] == 2) m[x] = sigmoid1_f32(c[x]) * sigmoid1_f32(t[x]) > thr ? 1 : 0;
    }
    int first = 0, last = w - 1;
    while (first < w && !m[first]) ++first;
    if (first == w) continue;
    while (!m[last]) --last;
    y0 = std::min(y0, y);
    y1 = y;
    x0 = std::min(x0, first);
    x1 = std::max(x1, last);
  }
  if (y1 >= 0) out.box = cv::Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  return out;
}

}  // namespace textq
