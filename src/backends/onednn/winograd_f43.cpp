// Winograd F(4x4, 3x3) on NHWC f32 (see winograd_f43.h): the ISA checks,
// the weight transform, the scratch size and the choice of kernel. Compiled
// for the baseline ISA: it runs on every CPU; the kernels are in
// winograd_f43_avx512.cpp and winograd_f43_avx2.cpp (algorithm:
// winograd_f43_impl.h).
#include <cstring>

#include "backends/onednn/winograd_f43_impl.h"
#include "textq/error.h"

namespace textq::onednn {

using wino::kBlockOc;
using wino::kPoints;
using wino::round16;

uint16_t to_bf16(float f) {  // round to nearest even (finite inputs)
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

namespace {
// The f32 kernel winograd_f43_run picks; the scratch size and the lanes a
// caller pads to must come from the same choice.
bool avx512_kernel() { return __builtin_cpu_supports("avx512f"); }
}  // namespace

bool winograd_f43_supported() {
  return avx512_kernel() || (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
}

const char* winograd_f43_isa() { return avx512_kernel() ? "avx512" : "avx2"; }

int64_t winograd_f43_vector_width() { return avx512_kernel() ? 16 : 8; }

int64_t winograd_f43_weight_count(int64_t ic, int64_t oc) { return kPoints * round16(ic) * round16(oc); }

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

Tensor winograd_deconv_k4s2_weights(const Tensor& w, int64_t phase_channels) {
  if (w.dtype() != DType::f32 || w.rank() != 4 || w.dim(2) != 4 || w.dim(3) != 4 || phase_channels < w.dim(1))
    throw Error(ErrorKind::InvalidArgument, "winograd_deconv_k4s2_weights: expected f32 [IC, OC, 4, 4] with OC <= " +
                                                std::to_string(phase_channels) + ", got " +
                                                std::string(dtype_name(w.dtype())) + " " + shape_str(w.shape()));
  const int64_t ic = w.dim(0), oc = w.dim(1);
  Tensor out(DType::f32, {4 * phase_channels, ic, 3, 3});  // zero filled
  const float* src = w.data<float>();
  float* dst = out.data<float>();
  const auto tap = [](int r, int d) { return r + 1 - 2 * (d - 1); };  // kernel index for phase r, window offset d - 1
  for (int ry = 0; ry < 2; ++ry)
    for (int rx = 0; rx < 2; ++rx)
      for (int64_t o = 0; o < oc; ++o)
        for (int64_t i = 0; i < ic; ++i)
          for (int dy = 0; dy < 3; ++dy)
            for (int dx = 0; dx < 3; ++dx) {
              const int ky = tap(ry, dy), kx = tap(rx, dx);
              if (ky < 0 || ky > 3 || kx < 0 || kx > 3) continue;
              dst[((((ry * 2 + rx) * phase_channels + o) * ic + i) * 3 + dy) * 3 + dx] =
                  src[((i * oc + o) * 4 + ky) * 4 + kx];
            }
  return out;
}

size_t winograd_f43_scratch_bytes(const WinogradGeometry& g, int threads) {
  const wino::Layout l = wino::layout_of(g, threads, avx512_kernel());
  const size_t one = static_cast<size_t>(kPoints * l.chunk * (l.icp + l.ocp)) * sizeof(float);
  return l.private_chunks ? one * static_cast<size_t>(l.threads) : one;
}

void winograd_f43_run(const WinogradGeometry& g, int threads, const float* src, const float* weights,
                      const float* bias, const float* residual, bool relu, float* dst, float* scratch) {
  if (avx512_kernel())
    winograd_f43_run_avx512(g, threads, src, weights, bias, residual, relu, dst, scratch);
  else
    winograd_f43_run_avx2(g, threads, src, weights, bias, residual, relu, dst, scratch);
}

}  // namespace textq::onednn
