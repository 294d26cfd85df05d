// Winograd F(4x4, 3x3) on NHWC activations (see winograd_f43.h): the parts
// that do not depend on the vector width. Included only by the per-ISA
// files (winograd_f43_avx512.cpp: AVX-512, winograd_f43_avx2.cpp: AVX2 + FMA), each
// compiled for its own instruction set, which instantiate run() with their
// vector traits S:
//   S::V, S::kWidth            the vector type and its f32 lanes
//   zero, set1, add, sub, mul, max; fmadd(a, b, c) = a b + c; fnmadd(a, b, c) = c - a b
//   load(p, n) / store(p, n, v)    the first min(n, kWidth) lanes (n <= 0: none), float
//                                  (and, AVX-512 only, bf16 bits) activations
//   load_aligned / store_aligned   full vectors of the f32 scratch
//   gemm_panel(rows, a, lda, b, width, k, c, ldc)   c[rows][width] = a[rows][k] x b[k][width]
// Matrices (Lavin & Gray, interpolation points 0, 1, -1, 2, -2, inf):
//   B^T = [4  0 -5  0 1 0]   G = [ 1/4     0     0 ]   A^T = [1 1  1 1  1 0]
//         [0 -4 -4  1 1 0]       [-1/6  -1/6  -1/6 ]         [0 1 -1 2 -2 0]
//         [0  4 -4 -1 1 0]       [-1/6   1/6  -1/6 ]         [0 1  1 4  4 0]
//         [0 -2 -1  2 1 0]       [1/24  1/12   1/6 ]         [0 1 -1 8 -8 1]
//         [0  2 -1 -2 1 0]       [1/24 -1/12   1/6 ]
//         [0  4  0 -5 0 1]       [ 0       0     1 ]
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "backends/onednn/winograd_f43.h"

namespace textq::onednn::wino {
// Internal linkage: each file compiled for its own ISA keeps its own copies,
// so the linker never picks an AVX-512 copy of an inline function for code
// that runs on an AVX2 CPU.
namespace {

constexpr int kPoints = 36;       // 6x6 transformed tile
constexpr int64_t kBlockOc = 64;  // GEMM panel width (the weights' layout, winograd_f43_weights)
constexpr int kRows = 6;          // GEMM micro-kernel rows (tiles)
constexpr int64_t kTaskRows = 48; // tiles per GEMM task (8 micro-kernel calls reusing one panel)
// Two ways to split the work (chosen per layer by the size of U):
//  - private (small weights, big images): each thread takes chunks of a few
//    tiles at a time (dynamic schedule) and runs all three phases on them in
//    its own L2-sized scratch: no barrier inside the layer, so a thread that
//    the OS deschedules on a shared machine does not stall the other;
//  - shared (big weights, few tiles): the three phases run over large chunks
//    with all threads in each phase, so U is streamed once per chunk.
constexpr size_t kPrivateMaxWeightBytes = size_t{12} << 20;
constexpr size_t kPrivateScratchBytes = size_t{640} << 10;  // per thread: V + M of one chunk
constexpr int64_t kPrivateMinTiles = 4;
// A private chunk streams all of U once: with few tiles per chunk that
// traffic outweighs the GEMM. AVX-512 (tuned on 1 MB L2 cores) keeps private
// chunks down to kPrivateMinTiles; the AVX2 kernel (measured on 512 KB L2
// cores: R50 layer3, 256 channels, 8 tiles per chunk, ran 1.3-2x faster shared)
// takes them from 12 tiles up.
constexpr int64_t kAvx2PrivateMinChunk = 12;
constexpr size_t kSharedScratchBytes = size_t{32} << 20;
constexpr int64_t kMinChunkTiles = 128;  // shared mode: fewer passes over U beat a small scratch

inline int64_t round16(int64_t x) { return (x + 15) / 16 * 16; }

struct Layout {
  int64_t icp, ocp;            // channels rounded up to 16
  int64_t tiles_h, tiles_w, tiles;
  bool private_chunks;         // see above
  int64_t chunk;               // tiles per chunk (the point stride of V and M is chunk * channels)
  int threads;
};

// wide_vectors: the AVX-512 kernel (see kAvx2PrivateMinChunk).
inline Layout layout_of(const WinogradGeometry& g, int threads, bool wide_vectors) {
  Layout l;
  l.icp = round16(g.ic);
  l.ocp = round16(g.oc);
  l.tiles_h = (g.oh + 3) / 4;
  l.tiles_w = (g.ow + 3) / 4;
  l.tiles = g.n * l.tiles_h * l.tiles_w;
  l.threads = std::max(1, threads);
  const int64_t per_tile = kPoints * (l.icp + l.ocp) * static_cast<int64_t>(sizeof(float));
  const size_t weight_bytes = static_cast<size_t>(kPoints * l.icp * l.ocp) * sizeof(float);
  const int64_t private_chunk = std::max(static_cast<int64_t>(kPrivateScratchBytes) / per_tile, kPrivateMinTiles);
  l.private_chunks = weight_bytes <= kPrivateMaxWeightBytes &&
                     (wide_vectors || private_chunk >= kAvx2PrivateMinChunk);
  if (l.private_chunks)
    l.chunk = std::min(l.tiles, private_chunk);
  else
    l.chunk = std::min(l.tiles, std::max(static_cast<int64_t>(kSharedScratchBytes) / per_tile, kMinChunkTiles));
  return l;
}

// B^T applied to z[0..5].
template <class S>
inline void bt6(const typename S::V* z, typename S::V* r) {
  const auto four = S::set1(4.f), five = S::set1(5.f), two = S::set1(2.f);
  r[0] = S::fmadd(four, z[0], S::fnmadd(five, z[2], z[4]));
  const auto a = S::fnmadd(four, z[2], z[4]);  // z4 - 4 z2
  const auto b = S::fnmadd(four, z[1], z[3]);  // z3 - 4 z1
  r[1] = S::add(a, b);
  r[2] = S::sub(a, b);
  const auto c = S::sub(z[4], z[2]);
  const auto d = S::mul(two, S::sub(z[3], z[1]));
  r[3] = S::add(c, d);
  r[4] = S::sub(c, d);
  r[5] = S::fmadd(four, z[1], S::fnmadd(five, z[3], z[5]));
}

// A^T applied to m[0..5].
template <class S>
inline void at6(const typename S::V* m, typename S::V* o) {
  const auto two = S::set1(2.f), four = S::set1(4.f), eight = S::set1(8.f);
  const auto s12 = S::add(m[1], m[2]), d12 = S::sub(m[1], m[2]);
  const auto s34 = S::add(m[3], m[4]), d34 = S::sub(m[3], m[4]);
  o[0] = S::add(S::add(m[0], s12), s34);
  o[1] = S::fmadd(two, d34, d12);
  o[2] = S::fmadd(four, s34, s12);
  o[3] = S::add(S::fmadd(eight, d34, d12), m[5]);
}

// Input transform of tile t of the chunk starting at tile c0.
// V layout: [36][chunk][icp].
template <class S, class A, class V>
void input_transform(const WinogradGeometry& g, const Layout& l, const A* src, int64_t c0, int64_t t, V* v) {
  using Vec = typename S::V;
  const int64_t tile = c0 + t;
  const int64_t img = tile / (l.tiles_h * l.tiles_w);
  const int64_t rem = tile % (l.tiles_h * l.tiles_w);
  const int64_t y0 = (rem / l.tiles_w) * 4 - g.pad_top, x0 = (rem % l.tiles_w) * 4 - g.pad_left;
  const A* base = src + img * g.ih * g.iw * g.ic;
  const int64_t point_stride = l.chunk * l.icp;
  V* out = v + t * l.icp;
  for (int64_t c = 0; c < l.icp; c += S::kWidth) {
    const int64_t left = g.ic - c;  // channels past ic read as 0
    Vec d[6][6];
    for (int i = 0; i < 6; ++i) {
      const int64_t y = y0 + i;
      for (int j = 0; j < 6; ++j) {
        const int64_t x = x0 + j;
        d[i][j] = (y >= 0 && y < g.ih && x >= 0 && x < g.iw) ? S::load(base + (y * g.iw + x) * g.ic + c, left)
                                                               : S::zero();
      }
    }
    Vec rows[6][6];  // rows[i] = B^T applied down column j, i.e. (B^T d)[i][j]
    for (int j = 0; j < 6; ++j) {
      Vec col[6], r[6];
      for (int i = 0; i < 6; ++i) col[i] = d[i][j];
      bt6<S>(col, r);
      for (int i = 0; i < 6; ++i) rows[i][j] = r[i];
    }
    for (int i = 0; i < 6; ++i) {
      Vec r[6];
      bt6<S>(rows[i], r);
      for (int j = 0; j < 6; ++j) S::store(out + (i * 6 + j) * point_stride + c, S::kWidth, r[j]);
    }
  }
}

// Output transform of chunk tile t: M layout [36][chunk][ocp]; dst plain
// NHWC, or the pixel-shuffled output of a deconv (WinogradGeometry::shuffle_oc).
template <class S, class A>
void output_transform(const WinogradGeometry& g, const Layout& l, const float* m, int64_t c0, int64_t t,
                      const float* bias, const A* residual, bool relu, A* dst) {
  using Vec = typename S::V;
  const int64_t tile = c0 + t;
  const int64_t img = tile / (l.tiles_h * l.tiles_w);
  const int64_t rem = tile % (l.tiles_h * l.tiles_w);
  const int64_t oy0 = (rem / l.tiles_w) * 4, ox0 = (rem % l.tiles_w) * 4;
  const int64_t point_stride = l.chunk * l.ocp;
  const float* in = m + t * l.ocp;
  const bool shuffle = g.shuffle_oc > 0;
  const int64_t offset = img * g.oh * g.ow * (shuffle ? 4 * g.shuffle_oc : g.oc);
  const int ny = static_cast<int>(std::min<int64_t>(4, g.oh - oy0)), nx = static_cast<int>(std::min<int64_t>(4, g.ow - ox0));
  const Vec zero = S::zero();
  const int64_t phase_stride = g.oc / 4;  // shuffled: conv channels per output phase
  for (int64_t c = 0; c < l.ocp && c < g.oc; c += S::kWidth) {
    // Shuffled, the vector holds channels o.. of phase (ry, rx), stored at
    // pixel (2 y + ry, 2 x + rx) of the deconv's output; lanes past its
    // shuffle_oc channels are padding (none at all: skipped).
    const int64_t phase = shuffle ? c / phase_stride : 0, o = shuffle ? c % phase_stride : c;
    const int64_t ry = phase / 2, rx = phase % 2;
    if (shuffle && o >= g.shuffle_oc) continue;
    const int64_t left = shuffle ? g.shuffle_oc - o : g.oc - c;  // lanes stored
    const auto dst_at = [&](int64_t y, int64_t x) {
      return shuffle ? offset + ((2 * y + ry) * 2 * g.ow + 2 * x + rx) * g.shuffle_oc + o
                     : offset + (y * g.ow + x) * g.oc + c;
    };
    Vec cols[4][6];  // (A^T M)[i][j]
    for (int j = 0; j < 6; ++j) {
      Vec mv[6], o[4];
      for (int i = 0; i < 6; ++i) mv[i] = S::load_aligned(in + (i * 6 + j) * point_stride + c);
      at6<S>(mv, o);
      for (int i = 0; i < 4; ++i) cols[i][j] = o[i];
    }
    const Vec b = bias ? S::load(bias + c, left) : zero;
    for (int i = 0; i < ny; ++i) {
      Vec o[4];
      at6<S>(cols[i], o);
      for (int j = 0; j < nx; ++j) {
        const int64_t at = dst_at(oy0 + i, ox0 + j);
        Vec r = S::add(o[j], b);
        if (residual) r = S::add(r, S::load(residual + at, left));
        if (relu) r = S::max(r, zero);
        S::store(dst + at, left, r);
      }
    }
  }
}

// GEMM of chunk rows [r0, r1) for one point and one OC panel.
template <class S, class V>
void gemm_rows_of(const Layout& l, const V* v, const V* weights, int64_t point, int64_t panel, int64_t r0, int64_t r1,
                  float* m) {
  const int64_t width = std::min(kBlockOc, l.ocp - panel * kBlockOc);
  const V* a = v + point * l.chunk * l.icp;
  const V* b = weights + point * l.icp * l.ocp + panel * kBlockOc * l.icp;
  float* c = m + point * l.chunk * l.ocp + panel * kBlockOc;
  for (int64_t r = r0; r < r1; r += kRows)
    S::gemm_panel(static_cast<int>(std::min<int64_t>(kRows, r1 - r)), a + r * l.icp, l.icp, b, width, l.icp,
                  c + r * l.ocp, l.ocp);
}

// A: activation type (float or bf16 bits); V: transformed tiles and weights
// (f32, or bf16 for the bf16 GEMM: ~13x the error of oneDNN's bf16 direct
// conv, the transforms amplifying the tiles' and weights' rounding, so the
// caller chooses where it may run).
template <class S, class A, class V>
void run(const WinogradGeometry& g, int threads, const A* src, const V* weights, const float* bias, const A* residual,
         bool relu, A* dst, float* scratch) {
  const Layout l = layout_of(g, threads, S::kWidth == 16);
  const int64_t panels = (l.ocp + kBlockOc - 1) / kBlockOc;
  const int64_t chunk_floats = kPoints * l.chunk * (l.icp + l.ocp);  // V is sized as f32 whatever its type
  if (l.private_chunks) {
    const int64_t chunks = (l.tiles + l.chunk - 1) / l.chunk;
#pragma omp parallel num_threads(l.threads)
    {
      float* base = scratch + omp_get_thread_num() * chunk_floats;
      V* v = reinterpret_cast<V*>(base);
      float* m = base + kPoints * l.chunk * l.icp;
#pragma omp for schedule(dynamic, 1)
      for (int64_t k = 0; k < chunks; ++k) {
        const int64_t c0 = k * l.chunk, count = std::min(l.chunk, l.tiles - c0);
        for (int64_t t = 0; t < count; ++t) input_transform<S>(g, l, src, c0, t, v);
        for (int64_t point = 0; point < kPoints; ++point)
          for (int64_t panel = 0; panel < panels; ++panel) gemm_rows_of<S>(l, v, weights, point, panel, 0, count, m);
        for (int64_t t = 0; t < count; ++t) output_transform<S>(g, l, m, c0, t, bias, residual, relu, dst);
      }
    }
    return;
  }
  V* v = reinterpret_cast<V*>(scratch);
  float* m = scratch + kPoints * l.chunk * l.icp;
#pragma omp parallel num_threads(l.threads)
  for (int64_t c0 = 0; c0 < l.tiles; c0 += l.chunk) {
    const int64_t count = std::min(l.chunk, l.tiles - c0);
#pragma omp for schedule(static)
    for (int64_t t = 0; t < count; ++t) input_transform<S>(g, l, src, c0, t, v);
    const int64_t row_blocks = (count + kTaskRows - 1) / kTaskRows;
#pragma omp for schedule(dynamic, 4)
    for (int64_t task = 0; task < kPoints * panels * row_blocks; ++task) {
      const int64_t point = task / (panels * row_blocks);
      const int64_t panel = (task / row_blocks) % panels;
      const int64_t r0 = (task % row_blocks) * kTaskRows;
      gemm_rows_of<S>(l, v, weights, point, panel, r0, std::min(count, r0 + kTaskRows), m);
    }
#pragma omp for schedule(static)
    for (int64_t t = 0; t < count; ++t) output_transform<S>(g, l, m, c0, t, bias, residual, relu, dst);
  }
}

}  // namespace
}  // namespace textq::onednn::wino
