#include "textdet/center_mask.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

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

}  // namespace

CenterMask center_region_mask(const float* text_logit, const float* center_logit, int h, int w,
                              float thr) {
  CenterMask out;
  out.mask.create(h, w, CV_8U);
  float bound = -std::numeric_limits<float>::infinity();
  const bool use_bound = shortcut_bound(thr, &bound);
  int y0 = h, y1 = -1, x0 = w, x1 = -1;
  std::vector<uint8_t> cand(static_cast<size_t>(w));
  for (int y = 0; y < h; ++y) {
    const float* t = text_logit + static_cast<size_t>(y) * w;
    const float* c = center_logit + static_cast<size_t>(y) * w;
    uint8_t* m = out.mask.ptr<uint8_t>(y);
    // Vectorisable pre-pass: which pixels might pass.
    bool any = !use_bound;
    if (use_bound) {
      uint8_t acc = 0;
      for (int x = 0; x < w; ++x) {
        cand[x] = (t[x] <= bound) | (c[x] <= bound) ? 0 : 1;
        acc |= cand[x];
      }
      any = acc != 0;
    }
    if (!any) {
      std::fill(m, m + w, uint8_t{0});
      continue;
    }
    int first = -1, last = -1;
    for (int x = 0; x < w; ++x) {
      if (use_bound && !cand[x]) {
        m[x] = 0;
        continue;
      }
      const float s = sigmoid1_f32(c[x]) * sigmoid1_f32(t[x]);
      m[x] = s > thr ? 1 : 0;
      if (m[x]) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first >= 0) {
      y0 = std::min(y0, y);
      y1 = y;
      x0 = std::min(x0, first);
      x1 = std::max(x1, last);
    }
  }
  if (y1 >= 0) out.box = cv::Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  return out;
}

}  // namespace textq
