// Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni (CMakeLists.txt);
// callers check conv_int8_narrow_supported(). See conv_int8_narrow.h.
#include "backends/onednn/conv_int8_narrow.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "backends/onednn/int8_padded_row.h"
#include "textq/error.h"

namespace textq::onednn {

namespace {

constexpr int64_t kPixels = 8;     // output pixels per block (x 3 vectors = 24 accumulators)
constexpr int64_t kChunkRows = 8;  // output rows per task: their padded input rows stay in L2

int64_t padded_width(const ConvNarrowGeometry& g) { return (g.ow + kPixels - 1) / kPixels * kPixels + g.kw - 1; }
int64_t chunk_input_rows(const ConvNarrowGeometry& g) { return kChunkRows + g.kh - 1; }

// Input rows [y0, y0 + rows) of image img in padded coordinates (row 0 is
// pad_top rows above the image) into buf, padded left and right, s8 shifted
// by +128; the pad is the shifted zero (0 for u8, 128 for s8).
void pad_rows(const ConvNarrowGeometry& g, const uint8_t* in, bool s8, int64_t img, int64_t y0, int64_t rows,
              uint8_t* buf) {
  const int64_t row_bytes = padded_width(g) * g.ic, body = g.iw * g.ic;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t y = y0 + r - g.pad_top;
    const uint8_t* src = y < 0 || y >= g.ih ? nullptr : in + (img * g.ih + y) * body;
    pad_int8_row(src, g.pad_left * g.ic, body, row_bytes, s8, buf + r * row_bytes);
  }
}

template <int NV>
inline void store_pixel(const __m256i* acc, const Int8Epilogue& e, void* dst, int64_t at) {
  for (int j = 0; j < NV; ++j) {
    __m256i a = acc[j];
    if (e.comp) a = _mm256_sub_epi32(a, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(e.comp + 8 * j)));
    __m256 f = _mm256_cvtepi32_ps(a);
    if (e.bias) f = _mm256_add_ps(f, _mm256_loadu_ps(e.bias + 8 * j));
    f = _mm256_mul_ps(f, _mm256_loadu_ps(e.oscale + 8 * j));
    if (e.relu) f = _mm256_max_ps(f, _mm256_setzero_ps());
    const int64_t o = at + 8 * j;
    switch (e.dst_type) {
      case Int8Type::f32: _mm256_storeu_ps(static_cast<float*>(dst) + o, f); break;
      case Int8Type::u8: {
        f = _mm256_min_ps(_mm256_max_ps(f, _mm256_setzero_ps()), _mm256_set1_ps(255.f));
        _mm_storel_epi64(reinterpret_cast<__m128i*>(static_cast<uint8_t*>(dst) + o),
                         _mm256_cvtusepi32_epi8(_mm256_cvtps_epi32(f)));
        break;
      }
      case Int8Type::s8: {
        f = _mm256_min_ps(_mm256_max_ps(f, _mm256_set1_ps(-128.f)), _mm256_set1_ps(127.f));
        _mm_storel_epi64(reinterpret_cast<__m128i*>(static_cast<int8_t*>(dst) + o),
                         _mm256_cvtsepi32_epi8(_mm256_cvtps_epi32(f)));
        break;
      }
    }
  }
}

// One output row from its kh padded input rows (`rows`, the first of them
// the row the top tap reads): blocks of kPixels pixels, NV vectors of 8
// output channels.
template <int NV>
void run_row(const ConvNarrowGeometry& g, const uint8_t* rows, int64_t img, int64_t oy, const int8_t* weights,
             const Int8Epilogue& e, void* dst) {
  const int64_t wp = padded_width(g), quads = g.ic / 4;
  const int64_t ocp = 8 * NV;
  for (int64_t x0 = 0; x0 < g.ow; x0 += kPixels) {
    __m256i acc[kPixels][NV];
    for (int p = 0; p < kPixels; ++p)
      for (int j = 0; j < NV; ++j) acc[p][j] = _mm256_setzero_si256();
    for (int ky = 0; ky < g.kh; ++ky) {
      const uint8_t* row = rows + (ky * wp + x0) * g.ic;
      for (int kx = 0; kx < g.kw; ++kx) {
        const uint8_t* px = row + kx * g.ic;
        const int8_t* w = weights + (ky * g.kw + kx) * quads * ocp * 4;
        for (int64_t q = 0; q < quads; ++q) {
          __m256i wv[NV];
          for (int j = 0; j < NV; ++j) wv[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + (q * ocp + 8 * j) * 4));
          for (int p = 0; p < kPixels; ++p) {
            int32_t quad;
            std::memcpy(&quad, px + p * g.ic + 4 * q, sizeof quad);
            const __m256i s = _mm256_set1_epi32(quad);
            for (int j = 0; j < NV; ++j) acc[p][j] = _mm256_dpbusd_epi32(acc[p][j], s, wv[j]);
          }
        }
      }
    }
    const int64_t valid = std::min<int64_t>(kPixels, g.ow - x0);
    for (int64_t p = 0; p < valid; ++p) store_pixel<NV>(acc[p], e, dst, ((img * g.oh + oy) * g.ow + x0 + p) * g.oc);
  }
}

}  // namespace

bool conv_int8_narrow_supported() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}

bool conv_int8_narrow_fits(int64_t ic, int64_t oc) { return ic % 4 == 0 && ic > 0 && (oc == 8 || oc == 24); }

Tensor conv_int8_narrow_weights(const Tensor& weight) {
  if (weight.dtype() != DType::i8 || weight.rank() != 4 || !conv_int8_narrow_fits(weight.dim(1), weight.dim(0)))
    throw Error(ErrorKind::InvalidArgument, "conv_int8_narrow_weights: expected s8 [8 or 24, IC (a multiple of 4), KH, KW], got " +
                                                std::string(dtype_name(weight.dtype())) + " " + shape_str(weight.shape()));
  const int64_t oc = weight.dim(0), ic = weight.dim(1), kh = weight.dim(2), kw = weight.dim(3);
  Tensor out(DType::i8, {kh, kw, ic / 4, oc, 4});
  const int8_t* w = weight.data<int8_t>();
  int8_t* o = out.data<int8_t>();
  for (int64_t y = 0; y < kh; ++y)
    for (int64_t x = 0; x < kw; ++x)
      for (int64_t c = 0; c < ic; ++c)
        for (int64_t k = 0; k < oc; ++k)
          o[(((y * kw + x) * (ic / 4) + c / 4) * oc + k) * 4 + c % 4] = w[((k * ic + c) * kh + y) * kw + x];
  return out;
}

size_t conv_int8_narrow_scratch_bytes(const ConvNarrowGeometry& g, int threads) {
  return static_cast<size_t>(std::max(threads, 1) * chunk_input_rows(g) * padded_width(g) * g.ic);
}

void conv_int8_narrow_run(const ConvNarrowGeometry& g, int threads, const void* src, Int8Type src_type,
                          const int8_t* weights, const Int8Epilogue& e, void* dst, uint8_t* scratch) {
  const bool s8 = src_type == Int8Type::s8;
  const int64_t chunks_per_image = (g.oh + kChunkRows - 1) / kChunkRows;
  const int64_t row_bytes = padded_width(g) * g.ic;
  // Each task pads the input rows of kChunkRows output rows into its thread's
  // slice of scratch and runs them while those rows are in cache.
#pragma omp parallel num_threads(threads)
  {
    uint8_t* buf = scratch + static_cast<size_t>(omp_get_thread_num() * chunk_input_rows(g) * row_bytes);
#pragma omp for schedule(static)
    for (int64_t task = 0; task < g.n * chunks_per_image; ++task) {
      const int64_t img = task / chunks_per_image, oy0 = (task % chunks_per_image) * kChunkRows;
      const int64_t rows = std::min(kChunkRows, g.oh - oy0);
      pad_rows(g, static_cast<const uint8_t*>(src), s8, img, oy0, rows + g.kh - 1, buf);
      for (int64_t r = 0; r < rows; ++r) {
        if (g.oc == 24)
          run_row<3>(g, buf + r * row_bytes, img, oy0 + r, weights, e, dst);
        else
          run_row<1>(g, buf + r * row_bytes, img, oy0 + r, weights, e, dst);
      }
    }
  }
}

}  // namespace textq::onednn
