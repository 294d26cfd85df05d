// Winograd F(4x4, 3x3) on NHWC f32 (see winograd_f43.h). Compiled with
// -mavx512f -mavx512bw -mavx512vl -mavx512bf16 -mfma (CMakeLists.txt); callers
// check winograd_f43_supported() / winograd_f43_bf16_supported().
// Matrices (Lavin & Gray, interpolation points 0, 1, -1, 2, -2, inf):
//   B^T = [4  0 -5  0 1 0]   G = [ 1/4     0     0 ]   A^T = [1 1  1 1  1 0]
//         [0 -4 -4  1 1 0]       [-1/6  -1/6  -1/6 ]         [0 1 -1 2 -2 0]
//         [0  4 -4 -1 1 0]       [-1/6   1/6  -1/6 ]         [0 1  1 4  4 0]
//         [0 -2 -1  2 1 0]       [1/24  1/12   1/6 ]         [0 1 -1 8 -8 1]
//         [0  2 -1 -2 1 0]       [1/24 -1/12   1/6 ]
//         [0  4  0 -5 0 1]       [ 0       0     1 ]
#include "backends/onednn/winograd_f43.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "textq/error.h"

namespace textq::onednn {

namespace {

constexpr int kPoints = 36;      // 6x6 transformed tile
constexpr int64_t kBlockOc = 64;  // GEMM panel width (4 vectors)
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
constexpr size_t kSharedScratchBytes = size_t{32} << 20;
constexpr int64_t kMinChunkTiles = 128;  // shared mode: fewer passes over U beat a small scratch

int64_t round16(int64_t x) { return (x + 15) / 16 * 16; }

struct Layout {
  int64_t icp, ocp;            // channels rounded up to 16
  int64_t tiles_h, tiles_w, tiles;
  bool private_chunks;         // see above
  int64_t chunk;               // tiles per chunk (the point stride of V and M is chunk * channels)
  int threads;
};

Layout layout_of(const WinogradGeometry& g, int threads) {
  Layout l;
  l.icp = round16(g.ic);
  l.ocp = round16(g.oc);
  l.tiles_h = (g.oh + 3) / 4;
  l.tiles_w = (g.ow + 3) / 4;
  l.tiles = g.n * l.tiles_h * l.tiles_w;
  l.threads = std::max(1, threads);
  const int64_t per_tile = kPoints * (l.icp + l.ocp) * static_cast<int64_t>(sizeof(float));
  const size_t weight_bytes = static_cast<size_t>(kPoints * l.icp * l.ocp) * sizeof(float);
  l.private_chunks = weight_bytes <= kPrivateMaxWeightBytes;
  if (l.private_chunks)
    l.chunk = std::min(l.tiles, std::max(static_cast<int64_t>(kPrivateScratchBytes) / per_tile, kPrivateMinTiles));
  else
    l.chunk = std::min(l.tiles, std::max(static_cast<int64_t>(kSharedScratchBytes) / per_tile, kMinChunkTiles));
  return l;
}

// Activations and transformed tiles are f32, or bf16 (uint16_t bits) in bf16 mode.
inline __m512 load16(const float* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
inline __m512 load16(const uint16_t* p, __mmask16 m) {
  const __m256i h = _mm256_maskz_loadu_epi16(m, p);
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}
inline void store16(float* p, __mmask16 m, __m512 v) { _mm512_mask_storeu_ps(p, m, v); }
inline void store16(uint16_t* p, __mmask16 m, __m512 v) {
  _mm256_mask_storeu_epi16(p, m, reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(v)));  // round to nearest even
}

__mmask16 tail_mask(int64_t remaining) {
  return remaining >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << remaining) - 1);
}

// B^T applied to z[0..5].
inline void bt6(const __m512* z, __m512* r) {
  const __m512 four = _mm512_set1_ps(4.f), five = _mm512_set1_ps(5.f), two = _mm512_set1_ps(2.f);
  r[0] = _mm512_fmadd_ps(four, z[0], _mm512_fnmadd_ps(five, z[2], z[4]));
  const __m512 a = _mm512_fnmadd_ps(four, z[2], z[4]);  // z4 - 4 z2
  const __m512 b = _mm512_fnmadd_ps(four, z[1], z[3]);  // z3 - 4 z1
  r[1] = _mm512_add_ps(a, b);
  r[2] = _mm512_sub_ps(a, b);
  const __m512 c = _mm512_sub_ps(z[4], z[2]);
  const __m512 d = _mm512_mul_ps(two, _mm512_sub_ps(z[3], z[1]));
  r[3] = _mm512_add_ps(c, d);
  r[4] = _mm512_sub_ps(c, d);
  r[5] = _mm512_fmadd_ps(four, z[1], _mm512_fnmadd_ps(five, z[3], z[5]));
}

// A^T applied to m[0..5].
inline void at6(const __m512* m, __m512* o) {
  const __m512 two = _mm512_set1_ps(2.f), four = _mm512_set1_ps(4.f), eight = _mm512_set1_ps(8.f);
  const __m512 s12 = _mm512_add_ps(m[1], m[2]), d12 = _mm512_sub_ps(m[1], m[2]);
  const __m512 s34 = _mm512_add_ps(m[3], m[4]), d34 = _mm512_sub_ps(m[3], m[4]);
  o[0] = _mm512_add_ps(_mm512_add_ps(m[0], s12), s34);
  o[1] = _mm512_fmadd_ps(two, d34, d12);
  o[2] = _mm512_fmadd_ps(four, s34, s12);
  o[3] = _mm512_add_ps(_mm512_fmadd_ps(eight, d34, d12), m[5]);
}

// Input transform of tile t of the chunk starting at tile c0.
// V layout: [36][chunk][icp].
template <class A, class V>
void input_transform(const WinogradGeometry& g, const Layout& l, const A* src, int64_t c0, int64_t t, V* v) {
  const int64_t tile = c0 + t;
  const int64_t img = tile / (l.tiles_h * l.tiles_w);
  const int64_t rem = tile % (l.tiles_h * l.tiles_w);
  const int64_t y0 = (rem / l.tiles_w) * 4 - g.pad_top, x0 = (rem % l.tiles_w) * 4 - g.pad_left;
  const A* base = src + img * g.ih * g.iw * g.ic;
  const int64_t point_stride = l.chunk * l.icp;
  V* out = v + t * l.icp;
  for (int64_t c = 0; c < l.icp; c += 16) {
    const __mmask16 mask = tail_mask(g.ic - c);
    __m512 d[6][6];
    for (int i = 0; i < 6; ++i) {
      const int64_t y = y0 + i;
      for (int j = 0; j < 6; ++j) {
        const int64_t x = x0 + j;
        d[i][j] = (y >= 0 && y < g.ih && x >= 0 && x < g.iw)
                      ? load16(base + (y * g.iw + x) * g.ic + c, mask)
                      : _mm512_setzero_ps();
      }
    }
    __m512 rows[6][6];  // rows[i] = B^T applied down column j, i.e. (B^T d)[i][j]
    for (int j = 0; j < 6; ++j) {
      __m512 col[6], r[6];
      for (int i = 0; i < 6; ++i) col[i] = d[i][j];
      bt6(col, r);
      for (int i = 0; i < 6; ++i) rows[i][j] = r[i];
    }
    for (int i = 0; i < 6; ++i) {
      __m512 r[6];
      bt6(rows[i], r);
      for (int j = 0; j < 6; ++j) store16(out + (i * 6 + j) * point_stride + c, 0xFFFF, r[j]);
    }
  }
}

// Output transform of chunk tile t: M layout [36][chunk][ocp].
template <class A>
void output_transform(const WinogradGeometry& g, const Layout& l, const float* m, int64_t c0, int64_t t,
                      const float* bias, const A* residual, bool relu, A* dst) {
  const int64_t tile = c0 + t;
  const int64_t img = tile / (l.tiles_h * l.tiles_w);
  const int64_t rem = tile % (l.tiles_h * l.tiles_w);
  const int64_t oy0 = (rem / l.tiles_w) * 4, ox0 = (rem % l.tiles_w) * 4;
  const int64_t point_stride = l.chunk * l.ocp;
  const float* in = m + t * l.ocp;
  const int64_t offset = img * g.oh * g.ow * g.oc;
  const int ny = static_cast<int>(std::min<int64_t>(4, g.oh - oy0)), nx = static_cast<int>(std::min<int64_t>(4, g.ow - ox0));
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t c = 0; c < l.ocp; c += 16) {
    const __mmask16 mask = tail_mask(g.oc - c);
    __m512 cols[4][6];  // (A^T M)[i][j]
    for (int j = 0; j < 6; ++j) {
      __m512 mv[6], o[4];
      for (int i = 0; i < 6; ++i) mv[i] = _mm512_load_ps(in + (i * 6 + j) * point_stride + c);
      at6(mv, o);
      for (int i = 0; i < 4; ++i) cols[i][j] = o[i];
    }
    const __m512 b = bias ? _mm512_maskz_loadu_ps(mask, bias + c) : zero;
    for (int i = 0; i < ny; ++i) {
      __m512 o[4];
      at6(cols[i], o);
      for (int j = 0; j < nx; ++j) {
        const int64_t at = offset + ((oy0 + i) * g.ow + ox0 + j) * g.oc + c;
        __m512 r = _mm512_add_ps(o[j], b);
        if (residual) r = _mm512_add_ps(r, load16(residual + at, mask));
        if (relu) r = _mm512_max_ps(r, zero);
        store16(dst + at, mask, r);
      }
    }
  }
}

// c[rows][NV*16] = a[rows][k] (row stride lda) x b[k][NV*16].
template <int R, int NV>
void gemm_kernel(const float* a, int64_t lda, const float* b, int64_t k, float* c, int64_t ldc) {
  __m512 acc[R][NV];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_setzero_ps();
  for (int64_t p = 0; p < k; ++p) {
    __m512 bv[NV];
    for (int j = 0; j < NV; ++j) bv[j] = _mm512_loadu_ps(b + p * NV * 16 + j * 16);
    for (int i = 0; i < R; ++i) {
      const __m512 av = _mm512_set1_ps(a[i * lda + p]);
      for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
    }
  }
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < NV; ++j) _mm512_store_ps(c + i * ldc + j * 16, acc[i][j]);
}

// bf16 tiles and weights (vdpbf16ps, f32 accumulation): a holds tile rows of
// bf16 channels (pairs read as one 32-bit word), b the weights as
// [k/2][NV*16][2] (two input channels side by side per output channel).
template <int R, int NV>
void gemm_kernel(const uint16_t* a, int64_t lda, const uint16_t* b, int64_t k, float* c, int64_t ldc) {
  __m512 acc[R][NV];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_setzero_ps();
  for (int64_t p = 0; p < k; p += 2) {
    __m512bh bv[NV];
    for (int j = 0; j < NV; ++j)
      bv[j] = reinterpret_cast<__m512bh>(_mm512_loadu_si512(b + p * NV * 16 + j * 32));
    for (int i = 0; i < R; ++i) {
      int32_t pair;
      std::memcpy(&pair, a + i * lda + p, sizeof pair);
      const __m512bh av = reinterpret_cast<__m512bh>(_mm512_set1_epi32(pair));
      for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], av, bv[j]);
    }
  }
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < NV; ++j) _mm512_store_ps(c + i * ldc + j * 16, acc[i][j]);
}

template <int NV, class T>
void gemm_rows(int rows, const T* a, int64_t lda, const T* b, int64_t k, float* c, int64_t ldc) {
  switch (rows) {
    case 6: gemm_kernel<6, NV>(a, lda, b, k, c, ldc); break;
    case 5: gemm_kernel<5, NV>(a, lda, b, k, c, ldc); break;
    case 4: gemm_kernel<4, NV>(a, lda, b, k, c, ldc); break;
    case 3: gemm_kernel<3, NV>(a, lda, b, k, c, ldc); break;
    case 2: gemm_kernel<2, NV>(a, lda, b, k, c, ldc); break;
    default: gemm_kernel<1, NV>(a, lda, b, k, c, ldc); break;
  }
}

template <class T>
void gemm_block(int rows, int nv, const T* a, int64_t lda, const T* b, int64_t k, float* c, int64_t ldc) {
  switch (nv) {
    case 4: gemm_rows<4>(rows, a, lda, b, k, c, ldc); break;
    case 3: gemm_rows<3>(rows, a, lda, b, k, c, ldc); break;
    case 2: gemm_rows<2>(rows, a, lda, b, k, c, ldc); break;
    default: gemm_rows<1>(rows, a, lda, b, k, c, ldc); break;
  }
}

}  // namespace

uint16_t to_bf16(float f) {  // round to nearest even (finite inputs)
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

bool winograd_f43_supported() { return __builtin_cpu_supports("avx512f"); }

bool winograd_f43_bf16_supported() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16");
}

Tensor winograd_f43_weights(const Tensor& weight) {
  if (weight.dtype() != DType::f32 || weight.rank() != 4 || weight.dim(2) != 3 || weight.dim(3) != 3)
    throw Error(ErrorKind::InvalidArgument, "winograd_f43_weights: expected f32 [OC, IC, 3, 3], got " +
                                                std::string(dtype_name(weight.dtype())) + " " + shape_str(weight.shape()));
  const int64_t oc = weight.dim(0), ic = weight.dim(1), icp = round16(ic), ocp = round16(oc);
  static const double G[6][3] = {{1.0 / 4, 0, 0},           {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                 {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};
  // [36][ocp/64 panels][icp][panel width]: panel b holds OC b*64 .. +width, width = 64 or the remainder.
  Tensor out(DType::f32, {kPoints, icp * ocp});  // zero filled
  float* u = out.data<float>();
  const float* w = weight.data<float>();
  for (int64_t o = 0; o < oc; ++o) {
    const int64_t panel = o / kBlockOc, width = std::min(kBlockOc, ocp - panel * kBlockOc), col = o % kBlockOc;
    for (int64_t i = 0; i < ic; ++i) {
      const float* g = w + (o * ic + i) * 9;
      double tmp[6][3];  // G g
      for (int a = 0; a < 6; ++a)
        for (int c = 0; c < 3; ++c) tmp[a][c] = G[a][0] * g[c] + G[a][1] * g[3 + c] + G[a][2] * g[6 + c];
      for (int a = 0; a < 6; ++a)
        for (int b = 0; b < 6; ++b) {
          const double val = tmp[a][0] * G[b][0] + tmp[a][1] * G[b][1] + tmp[a][2] * G[b][2];
          u[(a * 6 + b) * icp * ocp + panel * kBlockOc * icp + i * width + col] = static_cast<float>(val);
        }
    }
  }
  return out;
}

Tensor winograd_f43_weights_bf16(const Tensor& weight) {
  const Tensor u = winograd_f43_weights(weight);
  const int64_t icp = round16(weight.dim(1)), ocp = round16(weight.dim(0));
  // Same panels, each [icp][width] f32 -> [icp/2][width][2] bf16 (round to nearest even).
  Tensor out(DType::bf16, {kPoints, icp * ocp});
  const float* src = u.data<float>();
  uint16_t* dst = static_cast<uint16_t*>(out.raw());
  for (int64_t point = 0; point < kPoints; ++point)
    for (int64_t panel = 0; panel * kBlockOc < ocp; ++panel) {
      const int64_t width = std::min(kBlockOc, ocp - panel * kBlockOc);
      const int64_t base = point * icp * ocp + panel * kBlockOc * icp;
      for (int64_t i = 0; i < icp; ++i)
        for (int64_t col = 0; col < width; ++col)
          dst[base + (i / 2) * width * 2 + col * 2 + i % 2] = to_bf16(src[base + i * width + col]);
    }
  return out;
}

size_t winograd_f43_scratch_bytes(const WinogradGeometry& g, int threads) {
  const Layout l = layout_of(g, threads);
  const size_t one = static_cast<size_t>(kPoints * l.chunk * (l.icp + l.ocp)) * sizeof(float);
  return l.private_chunks ? one * static_cast<size_t>(l.threads) : one;
}

namespace {

// GEMM of chunk rows [r0, r1) for one point and one OC panel.
template <class V>
void gemm_rows_of(const Layout& l, const V* v, const V* weights, int64_t point, int64_t panel, int64_t r0, int64_t r1,
                  float* m) {
  const int64_t width = std::min(kBlockOc, l.ocp - panel * kBlockOc);
  const V* a = v + point * l.chunk * l.icp;
  const V* b = weights + point * l.icp * l.ocp + panel * kBlockOc * l.icp;
  float* c = m + point * l.chunk * l.ocp + panel * kBlockOc;
  for (int64_t r = r0; r < r1; r += kRows)
    gemm_block(static_cast<int>(std::min<int64_t>(kRows, r1 - r)), static_cast<int>(width / 16), a + r * l.icp, l.icp,
               b, l.icp, c + r * l.ocp, l.ocp);
}

// A: activation type (float or bf16 bits); V: transformed tiles and weights
// (f32, or bf16 for the bf16 GEMM: ~13x the error of oneDNN's bf16 direct
// conv, the transforms amplifying the tiles' and weights' rounding, so the
// caller chooses where it may run).
template <class A, class V>
void run(const WinogradGeometry& g, int threads, const A* src, const V* weights, const float* bias, const A* residual,
         bool relu, A* dst, float* scratch) {
  const Layout l = layout_of(g, threads);
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
        for (int64_t t = 0; t < count; ++t) input_transform(g, l, src, c0, t, v);
        for (int64_t point = 0; point < kPoints; ++point)
          for (int64_t panel = 0; panel < panels; ++panel) gemm_rows_of(l, v, weights, point, panel, 0, count, m);
        for (int64_t t = 0; t < count; ++t) output_transform(g, l, m, c0, t, bias, residual, relu, dst);
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
    for (int64_t t = 0; t < count; ++t) input_transform(g, l, src, c0, t, v);
    const int64_t row_blocks = (count + kTaskRows - 1) / kTaskRows;
#pragma omp for schedule(dynamic, 4)
    for (int64_t task = 0; task < kPoints * panels * row_blocks; ++task) {
      const int64_t point = task / (panels * row_blocks);
      const int64_t panel = (task / row_blocks) % panels;
      const int64_t r0 = (task % row_blocks) * kTaskRows;
      gemm_rows_of(l, v, weights, point, panel, r0, std::min(count, r0 + kTaskRows), m);
    }
#pragma omp for schedule(static)
    for (int64_t t = 0; t < count; ++t) output_transform(g, l, m, c0, t, bias, residual, relu, dst);
  }
}

}  // namespace

void winograd_f43_run(const WinogradGeometry& g, int threads, const float* src, const float* weights,
                      const float* bias, const float* residual, bool relu, float* dst, float* scratch) {
  run(g, threads, src, weights, bias, residual, relu, dst, scratch);
}

void winograd_f43_run_bf16(const WinogradGeometry& g, int threads, const uint16_t* src, const float* weights,
                           const float* bias, const uint16_t* residual, bool relu, uint16_t* dst, float* scratch) {
  run(g, threads, src, weights, bias, residual, relu, dst, scratch);
}

void winograd_f43_run_bf16_gemm(const WinogradGeometry& g, int threads, const uint16_t* src, const uint16_t* weights,
                                const float* bias, const uint16_t* residual, bool relu, uint16_t* dst, float* scratch) {
  run(g, threads, src, weights, bias, residual, relu, dst, scratch);
}

}  // namespace textq::onednn
