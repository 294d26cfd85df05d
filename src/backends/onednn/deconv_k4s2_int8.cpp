// INT8 ConvTranspose k4 s2 p1 to f32 NCHW (see deconv_k4s2_int8.h). Compiled
// with -mavx512f -mavx512bw -mavx512vnni (CMakeLists.txt); callers check
// deconv_k4s2_int8_supported().
//
// Output row oy = 2*iy - 1 + ky, so output row 2m + ry reads input rows
// m + dy with ky = ry + 1 - 2*dy: ry 0 takes dy -1 (ky 3) and 0 (ky 1), ry 1
// takes dy 0 (ky 2) and +1 (ky 0); columns alike with rx, dx, kx. A lane is
// an input column n; its output columns are 2n (rx 0) and 2n + 1 (rx 1).
#include "backends/onednn/deconv_k4s2_int8.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <string>

#include "textq/error.h"

namespace textq::onednn {

namespace {

constexpr int kSlots = 3 * 3 * 2 * 2;  // (dy, dx, ry, rx) per quad and output channel
constexpr int64_t kTaskRows = 8;       // input rows per task: 2 of every 10 transposes are halo

int64_t round16(int64_t x) { return (x + 15) / 16 * 16; }

// Dwords per transposed row and quad: column x' = ix + 1 (x' 0 and iw + 1 are
// the zero padding), and room for the loads of the last 32-column pair at shift +1.
int64_t row_stride(const DeconvK4S2Geometry& g) { return round16(g.iw) + 48; }

int slot(int dyi, int dxi, int ry, int rx) { return ((dyi * 3 + dxi) * 2 + ry) * 2 + rx; }

// The first n of 16 lanes (none for n <= 0, all for n >= 16).
__mmask16 first_lanes(int64_t n) {
  return static_cast<__mmask16>(n >= 16 ? 0xffff : n <= 0 ? 0 : (1u << n) - 1);
}

// 16 pixels x 8 quads (32 channels) of dwords -> 8 vectors of 16 pixels, one
// per quad, in three rounds of two-source permutes (vpermt2d). Zen 4 runs a
// 16-lane gather in ~35 cycles; this does the same 8 gathers' work in 24
// permutes. Each round's index vectors are found by labelling every dword
// (pixel, quad) and looking the wanted label up in the two sources, so the
// layouts below are the whole specification.
class Transpose16x8 {
 public:
  Transpose16x8() {
    // Sources: in[k] holds pixels 2k, 2k+1, quads 0..7 each.
    Label in[8][16], d[4][2][16], e[2][2][2][16], out[8][16];
    for (int k = 0; k < 8; ++k)
      for (int i = 0; i < 16; ++i) in[k][i] = {2 * k + i / 8, i % 8};
    // Round 1: d[j][h] = pixels 4j..4j+3 x quads 4h..4h+3 from in[2j], in[2j+1].
    for (int j = 0; j < 4; ++j)
      for (int h = 0; h < 2; ++h) {
        for (int i = 0; i < 16; ++i) d[j][h][i] = {4 * j + i % 4, 4 * h + i / 4};
        index_of(d[j][h], in[2 * j], in[2 * j + 1], round1_[j][h]);
      }
    // Round 2: e[half][h][g] = pixels 8 half..8 half+7 x quads 4h+2g, 4h+2g+1 from d[2 half][h], d[2 half+1][h].
    for (int half = 0; half < 2; ++half)
      for (int h = 0; h < 2; ++h)
        for (int g = 0; g < 2; ++g) {
          for (int i = 0; i < 16; ++i) e[half][h][g][i] = {8 * half + i % 8, 4 * h + 2 * g + i / 8};
          index_of(e[half][h][g], d[2 * half][h], d[2 * half + 1][h], round2_[half][h][g]);
        }
    // Round 3: out[q] = pixels 0..15 of quad q from e[0][h][g], e[1][h][g] (q = 4h + 2g + t).
    for (int q = 0; q < 8; ++q) {
      for (int i = 0; i < 16; ++i) out[q][i] = {i, q};
      index_of(out[q], e[0][q / 4][q % 4 / 2], e[1][q / 4][q % 4 / 2], round3_[q]);
    }
  }

  // in[k]: pixels 2k, 2k+1 (8 dwords each); out[q]: quad q of pixels 0..15.
  void run(const __m512i in[8], __m512i out[8]) const {
    __m512i d[4][2], e[2][2][2];
    for (int j = 0; j < 4; ++j)
      for (int h = 0; h < 2; ++h) d[j][h] = _mm512_permutex2var_epi32(in[2 * j], load(round1_[j][h]), in[2 * j + 1]);
    for (int half = 0; half < 2; ++half)
      for (int h = 0; h < 2; ++h)
        for (int g = 0; g < 2; ++g)
          e[half][h][g] = _mm512_permutex2var_epi32(d[2 * half][h], load(round2_[half][h][g]), d[2 * half + 1][h]);
    for (int q = 0; q < 8; ++q)
      out[q] = _mm512_permutex2var_epi32(e[0][q / 4][q % 4 / 2], load(round3_[q]), e[1][q / 4][q % 4 / 2]);
  }

 private:
  struct Label {
    int pixel = -1, quad = -1;
  };
  using Index = int32_t[16];
  static __m512i load(const Index& idx) { return _mm512_loadu_si512(idx); }
  // want[i] = a[idx[i]] (idx < 16) or b[idx[i] - 16].
  static void index_of(const Label (&want)[16], const Label (&a)[16], const Label (&b)[16], Index& idx) {
    for (int i = 0; i < 16; ++i) {
      idx[i] = -1;
      for (int j = 0; j < 32 && idx[i] < 0; ++j) {
        const Label& l = j < 16 ? a[j] : b[j - 16];
        if (l.pixel == want[i].pixel && l.quad == want[i].quad) idx[i] = j;
      }
      if (idx[i] < 0) throw Error(ErrorKind::Internal, "deconv_k4s2_int8: transpose label not found");
    }
  }
  Index round1_[4][2], round2_[2][2][2], round3_[8];
};

const Transpose16x8& transpose16x8() {
  static const Transpose16x8 t;
  return t;
}

// Input row iy of image b as [quad][x'] dwords (four channels each): 32
// channels by permutes, other multiples of 4 by gathers.
void transpose_row(const DeconvK4S2Geometry& g, const uint8_t* src, int64_t b, int64_t iy, int32_t* t) {
  const int64_t quads = g.ic / 4, stride = row_stride(g);
  const int32_t* row = reinterpret_cast<const int32_t*>(src + ((b * g.ih + iy) * g.iw) * g.ic);
  for (int64_t q = 0; q < quads; ++q) t[q * stride] = 0;
  if (quads == 8) {
    const Transpose16x8& tr = transpose16x8();
    for (int64_t x0 = 0; x0 < g.iw; x0 += 16) {
      const int64_t n = g.iw - x0;  // pixels from here to the row end
      const __mmask16 m = first_lanes(n);
      __m512i in[8], out[8];
      for (int k = 0; k < 8; ++k) {  // pixels 2k, 2k+1; the ones past the row end read as 0
        in[k] = _mm512_maskz_loadu_epi32(first_lanes(8 * (n - 2 * k)), row + (x0 + 2 * k) * 8);
      }
      tr.run(in, out);
      for (int64_t q = 0; q < 8; ++q) _mm512_mask_storeu_epi32(t + q * stride + 1 + x0, m, out[q]);
    }
  } else {
    const __m512i lane = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    for (int64_t q = 0; q < quads; ++q)
      for (int64_t x0 = 0; x0 < g.iw; x0 += 16) {
        const __mmask16 m = first_lanes(g.iw - x0);
        const __m512i idx = _mm512_add_epi32(
            _mm512_mullo_epi32(_mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int>(x0))),
                               _mm512_set1_epi32(static_cast<int>(quads))),
            _mm512_set1_epi32(static_cast<int>(q)));
        _mm512_mask_storeu_epi32(t + q * stride + 1 + x0, m, _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), m, idx, row, 4));
      }
  }
  for (int64_t q = 0; q < quads; ++q) std::fill(t + q * stride + 1 + g.iw, t + (q + 1) * stride, 0);
}

// Output rows 2m and 2m + 1 of image b from the transposed rows m-1, m, m+1.
// One output row at a time over two 16-column blocks: 4 * OC accumulators,
// and each broadcast weight feeds two vpdpbusd (alone at 1 thread 6.0 -> 5.5
// ms on R50's head against both output rows over one block).
template <int OC>
void row_pair(const DeconvK4S2Geometry& g, const int32_t* const rows[3], const int32_t* w, const float* oscale,
              const float* bias, bool relu, int64_t b, int64_t m, float* dst) {
  const int64_t quads = g.ic / 4, stride = row_stride(g), ow = 2 * g.iw, oh = 2 * g.ih;
  // Even output columns from rx 0, odd from rx 1.
  const __m512i lo = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __m512i hi = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
  for (int ry = 0; ry < 2; ++ry) {
    float* out_row = dst + (b * g.oc * oh + 2 * m + ry) * ow;  // channel o at + o * oh * ow
    for (int64_t n0 = 0; n0 < g.iw; n0 += 32) {
      __m512i acc[2][2][OC];  // [column block][rx][o]
#pragma GCC unroll 4
      for (int p = 0; p < 4; ++p)
#pragma GCC unroll 8
        for (int o = 0; o < OC; ++o) acc[p / 2][p % 2][o] = _mm512_setzero_si512();
      for (int64_t q = 0; q < quads; ++q) {
        const int32_t* wq = w + q * kSlots * OC;
#pragma GCC unroll 2
        for (int t = 0; t < 2; ++t) {  // ry 0 reads dy -1, 0; ry 1 reads dy 0, +1
          const int dyi = ry + t;
          const int32_t* r = rows[dyi] + q * stride + n0;
#pragma GCC unroll 3
          for (int dxi = 0; dxi < 3; ++dxi) {
            const __m512i v0 = _mm512_loadu_si512(r + dxi), v1 = _mm512_loadu_si512(r + 16 + dxi);
#pragma GCC unroll 2
            for (int rx = 0; rx < 2; ++rx) {
              if (dxi - rx < 0 || dxi - rx > 1) continue;  // rx 0 reads dx -1, 0; rx 1 reads dx 0, +1
              const int32_t* ws = wq + slot(dyi, dxi, ry, rx) * OC;
#pragma GCC unroll 8
              for (int o = 0; o < OC; ++o) {
                const __m512i wo = _mm512_set1_epi32(ws[o]);
                acc[0][rx][o] = _mm512_dpbusd_epi32(acc[0][rx][o], v0, wo);
                acc[1][rx][o] = _mm512_dpbusd_epi32(acc[1][rx][o], v1, wo);
              }
            }
          }
        }
      }
#pragma GCC unroll 2
      for (int k = 0; k < 2; ++k) {
        const int64_t c0 = 2 * (n0 + 16 * k), cols = std::min<int64_t>(32, ow - c0);  // output columns of block k
        if (cols <= 0) break;
        const __mmask16 m_lo = first_lanes(cols), m_hi = first_lanes(cols - 16);
#pragma GCC unroll 8
        for (int o = 0; o < OC; ++o) {
          __m512 even = _mm512_cvtepi32_ps(acc[k][0][o]), odd = _mm512_cvtepi32_ps(acc[k][1][o]);
          if (bias) {
            const __m512 bo = _mm512_set1_ps(bias[o]);
            even = _mm512_add_ps(even, bo), odd = _mm512_add_ps(odd, bo);
          }
          const __m512 so = _mm512_set1_ps(oscale[o]);
          even = _mm512_mul_ps(even, so), odd = _mm512_mul_ps(odd, so);
          if (relu) even = _mm512_max_ps(even, _mm512_setzero_ps()), odd = _mm512_max_ps(odd, _mm512_setzero_ps());
          float* out = out_row + o * oh * ow + c0;
          const __m512 first = _mm512_permutex2var_ps(even, lo, odd), second = _mm512_permutex2var_ps(even, hi, odd);
          if (cols == 32 && reinterpret_cast<uintptr_t>(out) % 64 == 0) {
            // Streaming stores: the maps are not read again soon (18.8 MB for R50
            // at 736x1280, beyond the cache), so the lines are not read in first.
            _mm512_stream_ps(out, first);
            _mm512_stream_ps(out + 16, second);
          } else {
            _mm512_mask_storeu_ps(out, m_lo, first);
            _mm512_mask_storeu_ps(out + 16, m_hi, second);
          }
        }
      }
    }
  }
}

using RowPairFn = void (*)(const DeconvK4S2Geometry&, const int32_t* const[3], const int32_t*, const float*,
                           const float*, bool, int64_t, int64_t, float*);

RowPairFn row_pair_for(int64_t oc) {
  switch (oc) {
    case 1: return row_pair<1>;
    case 2: return row_pair<2>;
    case 3: return row_pair<3>;
    case 4: return row_pair<4>;
    case 5: return row_pair<5>;
    case 6: return row_pair<6>;
    default: return nullptr;
  }
}

void check_geometry(const DeconvK4S2Geometry& g) {
  if (g.n < 1 || g.ih < 1 || g.iw < 1 || g.ic < 4 || g.ic % 4 != 0 || g.oc < 1 || g.oc > kDeconvK4S2MaxOc)
    throw Error(ErrorKind::InvalidArgument, "deconv_k4s2_int8: unsupported geometry ic " + std::to_string(g.ic) +
                                                " oc " + std::to_string(g.oc));
}

}  // namespace

bool deconv_k4s2_int8_supported() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vnni");
}

Tensor deconv_k4s2_int8_weights(const Tensor& weight) {
  if (weight.dtype() != DType::i8 || weight.rank() != 4 || weight.dim(0) % 4 != 0 || weight.dim(1) < 1 ||
      weight.dim(1) > kDeconvK4S2MaxOc || weight.dim(2) != 4 || weight.dim(3) != 4)
    throw Error(ErrorKind::InvalidArgument, "deconv_k4s2_int8_weights: expected s8 [IC (multiple of 4), OC (1-" +
                                                std::to_string(kDeconvK4S2MaxOc) + "), 4, 4], got " +
                                                std::string(dtype_name(weight.dtype())) + " " + shape_str(weight.shape()));
  const int64_t ic = weight.dim(0), oc = weight.dim(1), quads = ic / 4;
  Tensor packed(DType::i32, {deconv_k4s2_int8_weight_count(ic, oc)});  // zero: slots a phase never reads stay 0
  const int8_t* w = weight.data<int8_t>();
  int32_t* out = packed.data<int32_t>();
  for (int64_t q = 0; q < quads; ++q)
    for (int dyi = 0; dyi < 3; ++dyi)
      for (int dxi = 0; dxi < 3; ++dxi)
        for (int ry = 0; ry < 2; ++ry)
          for (int rx = 0; rx < 2; ++rx) {
            const int dy = dyi - 1, dx = dxi - 1;
            const int ky = ry + 1 - 2 * dy, kx = rx + 1 - 2 * dx;
            if (ky < 0 || ky > 3 || kx < 0 || kx > 3) continue;
            for (int64_t o = 0; o < oc; ++o) {
              uint32_t dword = 0;
              for (int j = 0; j < 4; ++j) {
                const int8_t v = w[(((q * 4 + j) * oc + o) * 4 + ky) * 4 + kx];
                dword |= static_cast<uint32_t>(static_cast<uint8_t>(v)) << (8 * j);
              }
              out[(q * kSlots + slot(dyi, dxi, ry, rx)) * oc + o] = static_cast<int32_t>(dword);
            }
          }
  return packed;
}

int64_t deconv_k4s2_int8_weight_count(int64_t ic, int64_t oc) { return ic / 4 * kSlots * oc; }

size_t deconv_k4s2_int8_scratch_bytes(const DeconvK4S2Geometry& g, int threads) {
  const size_t row = static_cast<size_t>(g.ic / 4 * row_stride(g)) * sizeof(int32_t);
  return row * (1 + 3 * static_cast<size_t>(std::max(1, threads)));
}

void deconv_k4s2_int8_run(const DeconvK4S2Geometry& g, int threads, const uint8_t* src, const int32_t* weights,
                          const float* oscale, const float* bias, bool relu, float* dst, int32_t* scratch) {
  check_geometry(g);
  const RowPairFn fn = row_pair_for(g.oc);
  const int64_t row_dwords = g.ic / 4 * row_stride(g);
  int32_t* zero_row = scratch;
  std::fill(zero_row, zero_row + row_dwords, 0);
  const int64_t tasks_per_image = (g.ih + kTaskRows - 1) / kTaskRows;
  const int64_t tasks = g.n * tasks_per_image;
  const int team = std::max(1, threads);
#pragma omp parallel num_threads(team)
  {
    int32_t* ring = scratch + row_dwords * (1 + 3 * static_cast<int64_t>(omp_get_thread_num()));
#pragma omp for schedule(dynamic, 1)
    for (int64_t task = 0; task < tasks; ++task) {
      const int64_t b = task / tasks_per_image;
      const int64_t m0 = task % tasks_per_image * kTaskRows, m1 = std::min(g.ih, m0 + kTaskRows);
      int64_t held[3] = {-1, -1, -1};  // input row in each ring slot
      auto row = [&](int64_t iy) -> const int32_t* {
        if (iy < 0 || iy >= g.ih) return zero_row;
        const int64_t s = iy % 3;
        int32_t* t = ring + s * row_dwords;
        if (held[s] != iy) transpose_row(g, src, b, iy, t), held[s] = iy;
        return t;
      };
      for (int64_t m = m0; m < m1; ++m) {
        const int32_t* rows[3] = {row(m - 1), row(m), row(m + 1)};
        fn(g, rows, weights, oscale, bias, relu, b, m, dst);
      }
    }
    _mm_sfence();  // streaming stores visible before the team's closing barrier
  }
}

}  // namespace textq::onednn
