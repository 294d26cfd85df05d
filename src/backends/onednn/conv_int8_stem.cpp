// Compiled with -mavx512f -mavx512bw -mavx512vnni (CMakeLists.txt); callers
// check conv_int8_stem_supported(). See conv_int8_stem.h.
#include "backends/onednn/conv_int8_stem.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "backends/onednn/int8_padded_row.h"
#include "textq/error.h"

namespace textq::onednn {

namespace {

constexpr int64_t kPixels = 6;  // output pixels per block (x 4 vectors of 16 channels = 24 accumulators)
constexpr int64_t kLanes = 64;  // output channels per block

// acc += u8 a * s8 b per dword. The asm ties the accumulator to the
// destination: with _mm512_dpbusd_epi32 GCC 12 copies or spills the 24
// accumulators of this loop (8.3-10.0 ms instead of 7.2-7.3 for R50's stem
// at 1 thread, docs/backends.md).
inline __m512i dpbusd(__m512i acc, __m512i a, __m512i b) {
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
  return acc;
}

int row_dwords(const StemGeometry& g) { return static_cast<int>((g.kw * g.ic + 3) / 4); }
int64_t blocked_width(const StemGeometry& g) { return (g.ow + kPixels - 1) / kPixels * kPixels; }
// Bytes of one padded input row: the last block's last pixel reads up to here.
int64_t padded_row_bytes(const StemGeometry& g) {
  const int64_t end = g.stride * (blocked_width(g) - 1) * g.ic + 4 * row_dwords(g);
  return (std::max<int64_t>(end, (g.pad_left + g.iw) * g.ic) + 63) / 64 * 64;
}
int64_t conv_row_bytes(const StemGeometry& g) { return blocked_width(g) * g.oc; }
// Per thread: kh padded input rows, and with the pool pool_k conv rows and one row of column maxima.
size_t thread_scratch_bytes(const StemGeometry& g) {
  size_t b = static_cast<size_t>(g.kh * padded_row_bytes(g));
  if (g.pool) b += static_cast<size_t>((g.pool_k + 1) * conv_row_bytes(g));
  return (b + 63) / 64 * 64;
}

// One vector of 16 channels: the oneDNN epilogue, 16 bytes out.
inline __m128i requantize(__m512i acc, const Int8Epilogue& e, int64_t o) {
  if (e.comp) acc = _mm512_sub_epi32(acc, _mm512_loadu_si512(e.comp + o));
  __m512 f = _mm512_cvtepi32_ps(acc);
  if (e.bias) f = _mm512_add_ps(f, _mm512_loadu_ps(e.bias + o));
  f = _mm512_mul_ps(f, _mm512_loadu_ps(e.oscale + o));
  if (e.relu) f = _mm512_max_ps(f, _mm512_setzero_ps());
  if (e.dst_type == Int8Type::u8) {
    f = _mm512_min_ps(_mm512_max_ps(f, _mm512_setzero_ps()), _mm512_set1_ps(255.f));
    return _mm512_cvtusepi32_epi8(_mm512_cvtps_epi32(f));
  }
  f = _mm512_min_ps(_mm512_max_ps(f, _mm512_set1_ps(-128.f)), _mm512_set1_ps(127.f));
  return _mm512_cvtsepi32_epi8(_mm512_cvtps_epi32(f));
}

// kPixels output pixels x the 64 channels from o0 of one conv row. rows[ky]:
// the padded input row of tap row ky, at the block's first pixel; w: those
// channels' packed weights; out: pixel stride `oc` bytes.
#define TEXTQ_STEM_ZERO(p) \
  __m512i c##p##0 = _mm512_setzero_si512(), c##p##1 = c##p##0, c##p##2 = c##p##0, c##p##3 = c##p##0;
#define TEXTQ_STEM_DOT(p)                                                                      \
  {                                                                                            \
    int32_t quad;                                                                              \
    std::memcpy(&quad, r + (p) * step + 4 * q, sizeof quad);                                   \
    const __m512i a = _mm512_set1_epi32(quad);                                                 \
    c##p##0 = dpbusd(c##p##0, a, w0), c##p##1 = dpbusd(c##p##1, a, w1);                        \
    c##p##2 = dpbusd(c##p##2, a, w2), c##p##3 = dpbusd(c##p##3, a, w3);                        \
  }
#define TEXTQ_STEM_STORE(p)                                                                         \
  {                                                                                                 \
    uint8_t* d = out + (p) * oc;                                                                    \
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d), requantize(c##p##0, e, o0));                    \
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + 16), requantize(c##p##1, e, o0 + 16));          \
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + 32), requantize(c##p##2, e, o0 + 32));          \
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + 48), requantize(c##p##3, e, o0 + 48));          \
  }

void block(const uint8_t* const* rows, int kh, int dwords, int64_t step, const int8_t* w, const Int8Epilogue& e,
           int64_t o0, int64_t oc, uint8_t* out) {
  TEXTQ_STEM_ZERO(0) TEXTQ_STEM_ZERO(1) TEXTQ_STEM_ZERO(2) TEXTQ_STEM_ZERO(3) TEXTQ_STEM_ZERO(4) TEXTQ_STEM_ZERO(5)
  for (int ky = 0; ky < kh; ++ky) {
    const uint8_t* r = rows[ky];
    for (int q = 0; q < dwords; ++q, w += 4 * kLanes) {
      const __m512i w0 = _mm512_loadu_si512(w), w1 = _mm512_loadu_si512(w + 64), w2 = _mm512_loadu_si512(w + 128),
                    w3 = _mm512_loadu_si512(w + 192);
      TEXTQ_STEM_DOT(0) TEXTQ_STEM_DOT(1) TEXTQ_STEM_DOT(2) TEXTQ_STEM_DOT(3) TEXTQ_STEM_DOT(4) TEXTQ_STEM_DOT(5)
    }
  }
  TEXTQ_STEM_STORE(0) TEXTQ_STEM_STORE(1) TEXTQ_STEM_STORE(2) TEXTQ_STEM_STORE(3) TEXTQ_STEM_STORE(4)
  TEXTQ_STEM_STORE(5)
}

#undef TEXTQ_STEM_ZERO
#undef TEXTQ_STEM_DOT
#undef TEXTQ_STEM_STORE

// One thread's state: its ring of padded input rows (and, with the pool, of conv rows).
class Worker {
 public:
  Worker(const StemGeometry& g, const uint8_t* src, bool s8, const int8_t* weights, const Int8Epilogue& e,
         uint8_t* scratch)
      : g_(g), src_(src), s8_(s8), weights_(weights), e_(e), row_bytes_(padded_row_bytes(g)), in_ring_(scratch),
        conv_ring_(g.pool ? scratch + g.kh * row_bytes_ : nullptr),
        col_max_(g.pool ? conv_ring_ + g.pool_k * conv_row_bytes(g) : nullptr),
        in_tag_(static_cast<size_t>(g.kh), -1), conv_tag_(static_cast<size_t>(g.pool_k), -1) {}

  // Conv row oy of image img into `out` (blocked_width(g) pixels; with
  // exact == true only the ow real ones are written).
  void conv_row(int64_t img, int64_t oy, uint8_t* out, bool exact) {
    const uint8_t* rows[kStemMaxKernel];
    for (int ky = 0; ky < g_.kh; ++ky) rows[ky] = input_row(img, g_.stride * oy + ky);
    const int dwords = row_dwords(g_);
    const int64_t step = g_.stride * g_.ic;  // bytes between neighbouring output pixels' windows
    const int64_t block_weights = static_cast<int64_t>(g_.kh) * dwords * 4 * kLanes;
    alignas(64) uint8_t tail[kPixels * kLanes];
    for (int64_t x0 = 0; x0 < g_.ow; x0 += kPixels) {
      const uint8_t* at[kStemMaxKernel];
      for (int ky = 0; ky < g_.kh; ++ky) at[ky] = rows[ky] + x0 * step;
      const int64_t valid = std::min(kPixels, g_.ow - x0);
      for (int64_t o0 = 0; o0 < g_.oc; o0 += kLanes) {
        const int8_t* w = weights_ + (o0 / kLanes) * block_weights;
        if (valid == kPixels || !exact) {
          block(at, g_.kh, dwords, step, w, e_, o0, g_.oc, out + x0 * g_.oc + o0);
        } else {  // the last block of a row written in place: its padding pixels go to `tail`
          block(at, g_.kh, dwords, step, w, e_, o0, kLanes, tail);
          for (int64_t p = 0; p < valid; ++p)
            std::memcpy(out + (x0 + p) * g_.oc + o0, tail + p * kLanes, kLanes);
        }
      }
    }
  }

  // Pool row py of image img into `out` (g.pw pixels).
  void pool_row(int64_t img, int64_t py, uint8_t* out) {
    const int64_t oc = g_.oc;
    // Column maxima over the window's rows inside the conv output (at least one: fits()).
    bool first = true;
    for (int dy = 0; dy < g_.pool_k; ++dy) {
      const int64_t cy = py * g_.pool_stride - g_.pool_pad + dy;
      if (cy < 0 || cy >= g_.oh) continue;
      const uint8_t* row = conv_row_cached(img, cy);
      if (first) {
        std::memcpy(col_max_, row, static_cast<size_t>(g_.ow * oc));
        first = false;
        continue;
      }
      for (int64_t i = 0; i < g_.ow * oc; i += 64)
        _mm512_storeu_si512(col_max_ + i, _mm512_max_epu8(_mm512_loadu_si512(col_max_ + i), _mm512_loadu_si512(row + i)));
    }
    for (int64_t px = 0; px < g_.pw; ++px) {
      const int64_t x0 = std::max<int64_t>(px * g_.pool_stride - g_.pool_pad, 0);
      const int64_t x1 = std::min<int64_t>(px * g_.pool_stride - g_.pool_pad + g_.pool_k, g_.ow);
      for (int64_t o = 0; o < oc; o += 64) {
        __m512i m = _mm512_loadu_si512(col_max_ + x0 * oc + o);
        for (int64_t x = x0 + 1; x < x1; ++x) m = _mm512_max_epu8(m, _mm512_loadu_si512(col_max_ + x * oc + o));
        _mm512_storeu_si512(out + px * oc + o, m);
      }
    }
  }

 private:
  // Padded input row iy (row 0 is pad_top rows above the image) of image img, from the ring.
  const uint8_t* input_row(int64_t img, int64_t iy) {
    const int64_t tag = (img << 32) | iy;
    const size_t slot = static_cast<size_t>(iy % g_.kh);
    uint8_t* row = in_ring_ + static_cast<int64_t>(slot) * row_bytes_;
    if (in_tag_[slot] == tag) return row;
    in_tag_[slot] = tag;
    const int64_t y = iy - g_.pad_top, body = g_.iw * g_.ic;
    const uint8_t* in = y < 0 || y >= g_.ih ? nullptr : src_ + (img * g_.ih + y) * body;
    pad_int8_row(in, g_.pad_left * g_.ic, body, row_bytes_, s8_, row);
    return row;
  }

  const uint8_t* conv_row_cached(int64_t img, int64_t cy) {
    const int64_t tag = (img << 32) | cy;
    const size_t slot = static_cast<size_t>(cy % g_.pool_k);
    uint8_t* row = conv_ring_ + static_cast<int64_t>(slot) * conv_row_bytes(g_);
    if (conv_tag_[slot] != tag) {
      conv_row(img, cy, row, false);
      conv_tag_[slot] = tag;
    }
    return row;
  }

  const StemGeometry& g_;
  const uint8_t* src_;
  bool s8_;
  const int8_t* weights_;
  const Int8Epilogue& e_;
  int64_t row_bytes_;
  uint8_t* in_ring_;
  uint8_t* conv_ring_;
  uint8_t* col_max_;
  std::vector<int64_t> in_tag_, conv_tag_;
};

}  // namespace

bool conv_int8_stem_supported() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vnni");
}

bool conv_int8_stem_fits(const StemGeometry& g) {
  const bool conv = g.n >= 1 && g.ic >= 1 && g.kw >= 1 && g.kw * g.ic <= 4 * kStemMaxRowDwords && g.kh >= 1 &&
                    g.kh <= kStemMaxKernel && g.oc >= kLanes && g.oc % kLanes == 0 && g.stride >= 1 &&
                    g.pad_top >= 0 && g.pad_left >= 0 && g.oh >= 1 && g.ow >= 1 && g.ih >= 1 && g.iw >= 1 &&
                    // every tap row inside the padded input (bottom / right padding only as zeros past the image)
                    (g.oh - 1) * g.stride + g.kh <= g.ih + g.pad_top + g.kh &&
                    (g.ow - 1) * g.stride + g.kw <= g.iw + g.pad_left + g.kw;
  if (!conv || !g.pool) return conv;
  return g.pool_k >= 1 && g.pool_k <= 3 && g.pool_stride >= 1 && g.pool_pad >= 0 && g.pool_pad < g.pool_k &&
         g.ph >= 1 && g.pw >= 1 && (g.ph - 1) * g.pool_stride - g.pool_pad < g.oh &&
         (g.pw - 1) * g.pool_stride - g.pool_pad < g.ow;
}

Tensor conv_int8_stem_weights(const Tensor& weight) {
  if (weight.dtype() != DType::i8 || weight.rank() != 4 || weight.dim(0) % kLanes != 0 ||
      weight.dim(1) * weight.dim(3) > 4 * kStemMaxRowDwords)
    throw Error(ErrorKind::InvalidArgument,
                "conv_int8_stem_weights: expected s8 [OC (multiple of 64), IC, KH, KW] with KW * IC <= 32, got " +
                    std::string(dtype_name(weight.dtype())) + " " + shape_str(weight.shape()));
  const int64_t oc = weight.dim(0), ic = weight.dim(1), kh = weight.dim(2), kw = weight.dim(3);
  const int64_t dwords = (kw * ic + 3) / 4;
  Tensor out(DType::i8, {oc / kLanes, kh, dwords, kLanes, 4});  // conv_int8_stem_weight_count bytes
  int8_t* o = out.data<int8_t>();
  std::memset(o, 0, static_cast<size_t>(out.numel()));
  const int8_t* w = weight.data<int8_t>();
  for (int64_t k = 0; k < oc; ++k)
    for (int64_t c = 0; c < ic; ++c)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          const int64_t b = x * ic + c;  // byte of the kernel row in NHWC order
          o[((((k / kLanes) * kh + y) * dwords + b / 4) * kLanes + k % kLanes) * 4 + b % 4] =
              w[((k * ic + c) * kh + y) * kw + x];
        }
  return out;
}

int64_t conv_int8_stem_weight_count(int64_t oc, int64_t ic, int64_t kh, int64_t kw) {
  return oc * kh * ((kw * ic + 3) / 4) * 4;
}

size_t conv_int8_stem_scratch_bytes(const StemGeometry& g, int threads) {
  return static_cast<size_t>(std::max(threads, 1)) * thread_scratch_bytes(g);
}

void conv_int8_stem_run(const StemGeometry& g, int threads, const void* src, Int8Type src_type, const int8_t* weights,
                        const Int8Epilogue& e, void* dst, uint8_t* scratch) {
  if (!conv_int8_stem_fits(g) || src_type == Int8Type::f32 || e.dst_type == Int8Type::f32 ||
      (g.pool && e.dst_type != Int8Type::u8))
    throw Error(ErrorKind::InvalidArgument, "conv_int8_stem: unsupported geometry or types");
  const bool s8 = src_type == Int8Type::s8;
  // Each thread one contiguous band of output rows (over all images), so
  // every input row is padded once and, with the pool, every conv row
  // computed once except the one shared at a band's edge.
  const int64_t rows = g.pool ? g.ph : g.oh, cols = g.pool ? g.pw : g.ow, total = g.n * rows;
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t r0 = total * t / nt, r1 = total * (t + 1) / nt;
    Worker worker(g, static_cast<const uint8_t*>(src), s8, weights, e,
                  scratch + static_cast<size_t>(t) * thread_scratch_bytes(g));
    for (int64_t r = r0; r < r1; ++r) {
      uint8_t* out = static_cast<uint8_t*>(dst) + r * cols * g.oc;
      if (g.pool)
        worker.pool_row(r / rows, r % rows, out);
      else
        worker.conv_row(r / rows, r % rows, out, true);
    }
  }
}

}  // namespace textq::onednn
