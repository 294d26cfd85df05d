// Deterministic synthetic TextSnake head output (5 x H x W float32 logits) with
// curved text instances, for decoder regression tests and bench/bench_decoder.
// Not a golden: it only feeds the fast-vs-full-frame equality check and timing.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace textq::test {

// Uniform in [-1, 1), from a hash of (x, y, channel, seed).
inline float synth_noise(uint32_t x, uint32_t y, uint32_t c, uint32_t seed) {
  uint64_t h = (static_cast<uint64_t>(x) * 0x9E3779B97F4A7C15ull) ^
               (static_cast<uint64_t>(y) * 0xC2B2AE3D27D4EB4Full) ^
               (static_cast<uint64_t>(c + 1) * 0x165667B19E3779F9ull) ^ (seed * 0x27D4EB2F165667C5ull);
  h ^= h >> 31;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return static_cast<float>(h & 0xFFFFFF) / 8388608.0f - 1.0f;
}

// `instances` curved bands on a grid (arcs, waves, and a ring that leaves a hole
// for fill_hole), centre region ~0.3 of the half-height, sin/cos along the
// local tangent, radius = half-height, all with small noise; background
// logits strongly negative. instances = 0 gives a map with no text.
inline std::vector<float> make_synthetic_maps(int H, int W, int instances, uint32_t seed = 1) {
  const size_t n = static_cast<size_t>(H) * W;
  std::vector<float> m(5 * n);
  float* text = m.data();
  float* centre = text + n;
  float* sinm = text + 2 * n;
  float* cosm = text + 3 * n;
  float* rad = text + 4 * n;
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) {
      const size_t i = static_cast<size_t>(y) * W + x;
      text[i] = -7.0f + 2.0f * synth_noise(x, y, 0, seed);
      centre[i] = -7.0f + 2.0f * synth_noise(x, y, 1, seed);
      sinm[i] = synth_noise(x, y, 2, seed);
      cosm[i] = synth_noise(x, y, 3, seed);
      rad[i] = 2.0f + synth_noise(x, y, 4, seed);
    }
  }
  if (instances <= 0) return m;
  const int cols = std::max(1, static_cast<int>(std::ceil(std::sqrt(instances * 1.6))));
  const int rows = (instances + cols - 1) / cols;
  const double cw = static_cast<double>(W) / cols, ch = static_cast<double>(H) / rows;
  for (int k = 0; k < instances; ++k) {
    const int gx = k % cols, gy = k / cols;
    const double x0 = gx * cw, y0 = gy * ch;
    const double hh = std::clamp(0.12 * ch * (0.7 + 0.1 * (k % 5)), 5.0, 40.0);  // half-height
    // centre line samples (x, y) every ~0.5 px
    std::vector<double> px, py;
    const int kind = k % 4;
    const int ns = static_cast<int>(2 * cw);
    for (int s = 0; s <= ns; ++s) {
      const double u = static_cast<double>(s) / ns;
      double sx, sy;
      if (kind == 3) {  // ring: its centre region encloses a hole
        const double a = 2 * M_PI * u, r = 0.32 * std::min(cw, ch);
        sx = x0 + cw / 2 + r * std::cos(a);
        sy = y0 + ch / 2 + 0.8 * r * std::sin(a);
      } else if (kind == 2) {  // wave
        sx = x0 + cw * (0.12 + 0.76 * u);
        sy = y0 + ch * (0.5 + 0.18 * std::sin(2 * M_PI * u * 1.3 + k));
      } else {  // arc, bending up or down
        const double a = M_PI * (0.15 + 0.7 * u);
        sx = x0 + cw * (0.5 - 0.4 * std::cos(a));
        sy = y0 + ch * (0.5 + (kind == 0 ? 0.25 : -0.25) * (std::sin(a) - 0.7));
      }
      px.push_back(sx);
      py.push_back(sy);
    }
    const int bx0 = std::max(0, static_cast<int>(x0)), bx1 = std::min(W, static_cast<int>(x0 + cw));
    const int by0 = std::max(0, static_cast<int>(y0)), by1 = std::min(H, static_cast<int>(y0 + ch));
    for (int y = by0; y < by1; ++y) {
      for (int x = bx0; x < bx1; ++x) {
        double d2 = 1e30;
        int arg = 0;
        for (size_t s = 0; s < px.size(); s += 2) {
          const double dx = x - px[s], dy = y - py[s];
          const double e = dx * dx + dy * dy;
          if (e < d2) d2 = e, arg = static_cast<int>(s);
        }
        const double d = std::sqrt(d2);
        if (d > 1.3 * hh) continue;
        const size_t i = static_cast<size_t>(y) * W + x;
        const int a = std::min<int>(arg + 1, static_cast<int>(px.size()) - 1);
        const int b = std::max(arg - 1, 0);
        const double tx = px[a] - px[b], ty = py[a] - py[b];
        const double tl = std::sqrt(tx * tx + ty * ty) + 1e-12;
        text[i] = static_cast<float>(6.0 * (1.0 - d / hh)) + 0.8f * synth_noise(x, y, 5, seed);
        centre[i] = static_cast<float>(5.0 * (1.0 - d / (0.3 * hh))) + 0.8f * synth_noise(x, y, 6, seed);
        // un-normalised, as a network would output them
        sinm[i] = static_cast<float>(1.3 * ty / tl) + 0.05f * synth_noise(x, y, 7, seed);
        cosm[i] = static_cast<float>(1.3 * tx / tl) + 0.05f * synth_noise(x, y, 8, seed);
        rad[i] = static_cast<float>(hh) + 0.7f * synth_noise(x, y, 9, seed);
      }
    }
  }
  return m;
}

}  // namespace textq::test
