// The machine's multiply-accumulate ceiling for the two instructions textq's
// FP32 and INT8 convolutions are made of: vfmadd231ps zmm (16 f32 MACs) and
// vpdpbusd zmm (64 u8 x s8 MACs, AVX-512 VNNI; and its ymm form, 32 MACs,
// which CPUs splitting zmm into two 256-bit halves issue twice as often, the
// lanes of conv_int8_narrow.h). Without AVX-512: vfmadd231ps ymm (8 f32
// MACs) and the three instructions oneDNN's pre-VNNI INT8 kernels spend on
// 32 u8 x s8 products (vpmaddubsw, vpmaddwd by ones, vpaddd). Twelve (AVX2:
// six) independent chains per thread, register operands only, so the rate is
// the core's issue rate, not memory. A direct conv cannot beat these; the
// INT8 target of a whole network is its MAC count over the vpdpbusd figure
// (docs/backends.md).
//
//   build/bench/bench_peak_macs [seconds per measurement, default 0.5]
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

#define TEXTQ_REPEAT12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

// `name`(n): n iterations of twelve independent `OP` zmm instructions (OP(i)
// writes zmm i), zmm30/31 the sources; `isa` the target attribute they need.
#define TEXTQ_PEAK_LOOP(name, isa, OP)                                                                     \
  __attribute__((target(isa), noinline)) void name(long n) {                                             \
    asm volatile("vpxord %%zmm30, %%zmm30, %%zmm30\n vpxord %%zmm31, %%zmm31, %%zmm31\n"                 \
                 "1:\n" TEXTQ_REPEAT12(OP) "dec %0\n jnz 1b\n"                                            \
                 : "+r"(n)::"memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", \
                   "xmm9", "xmm10", "xmm11", "xmm30", "xmm31");                                           \
  }
#define TEXTQ_DP(i) "vpdpbusd %%zmm30, %%zmm31, %%zmm" #i "\n"
#define TEXTQ_DPY(i) "vpdpbusd %%ymm30, %%ymm31, %%ymm" #i "\n"
#define TEXTQ_FMA(i) "vfmadd231ps %%zmm30, %%zmm31, %%zmm" #i "\n"
TEXTQ_PEAK_LOOP(vnni_loop, "avx512f,avx512vnni", TEXTQ_DP)
TEXTQ_PEAK_LOOP(vnni_ymm_loop, "avx512f,avx512vl,avx512vnni", TEXTQ_DPY)
TEXTQ_PEAK_LOOP(fma_loop, "avx512f", TEXTQ_FMA)

// AVX2 has 16 ymm registers: ymm14/15 the sources, ymm13 the int16 ones,
// ymm0-5 accumulators, ymm6-11 the pre-VNNI chains' temporaries.
#define TEXTQ_REPEAT6(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define TEXTQ_PEAK_LOOP_AVX2(name, OP, CHAINS)                                                                \
  __attribute__((target("avx2,fma"), noinline)) void name(long n) {                                          \
    asm volatile("vpxor %%ymm14, %%ymm14, %%ymm14\n vpxor %%ymm15, %%ymm15, %%ymm15\n"                        \
                 "vpxor %%ymm13, %%ymm13, %%ymm13\n"                                                          \
                 "1:\n" CHAINS(OP) "dec %0\n jnz 1b\n"                                                       \
                 : "+r"(n)::"memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", \
                   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");                             \
  }
#define TEXTQ_FMA_Y(i) "vfmadd231ps %%ymm14, %%ymm15, %%ymm" #i "\n"
#define TEXTQ_U8S8_Y(i)                                        \
  "vpmaddubsw %%ymm15, %%ymm14, %%ymm" TEXTQ_TMP_##i "\n"      \
  "vpmaddwd %%ymm13, %%ymm" TEXTQ_TMP_##i ", %%ymm" TEXTQ_TMP_##i "\n" \
  "vpaddd %%ymm" TEXTQ_TMP_##i ", %%ymm" #i ", %%ymm" #i "\n"
#define TEXTQ_TMP_0 "6"
#define TEXTQ_TMP_1 "7"
#define TEXTQ_TMP_2 "8"
#define TEXTQ_TMP_3 "9"
#define TEXTQ_TMP_4 "10"
#define TEXTQ_TMP_5 "11"
TEXTQ_PEAK_LOOP_AVX2(fma_ymm_loop, TEXTQ_FMA_Y, TEXTQ_REPEAT12)
TEXTQ_PEAK_LOOP_AVX2(u8s8_ymm_loop, TEXTQ_U8S8_Y, TEXTQ_REPEAT6)

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// GMAC/s of `loop` summed over `threads`, each running it for about `secs`.
template <class Loop>
double rate(Loop loop, double macs_per_iter, int threads, double secs) {
  double total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
  {
    long n = 1 << 20;
    for (;;) {  // grow n until one call takes secs / 4, then time a call of 4x that
      const auto t0 = std::chrono::steady_clock::now();
      loop(n);
      if (seconds_since(t0) > secs / 4) break;
      n *= 2;
    }
    n *= 4;
    const auto t0 = std::chrono::steady_clock::now();
    loop(n);
    total += macs_per_iter * static_cast<double>(n) / seconds_since(t0) / 1e9;
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  const double secs = argc > 1 ? std::atof(argv[1]) : 0.5;
  if (!__builtin_cpu_supports("avx512f")) {
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
      std::printf("neither AVX-512 nor AVX2 + FMA on this CPU\n");
      return 0;
    }
    for (int threads = 1; threads <= omp_get_max_threads(); ++threads) {
      const double f = rate(fma_ymm_loop, 12 * 8, threads, secs), v = rate(u8s8_ymm_loop, 6 * 32, threads, secs);
      std::printf("%d thread(s): vfmadd231ps ymm %6.1f GMAC/s f32 | vpmaddubsw+vpmaddwd+vpaddd ymm %6.1f GMAC/s u8*s8\n",
                  threads, f, v);
    }
    return 0;
  }
  const bool vnni = __builtin_cpu_supports("avx512vnni");
  for (int threads = 1; threads <= omp_get_max_threads(); ++threads) {
    const double f = rate(fma_loop, 12 * 16, threads, secs);
    std::printf("%d thread(s): vfmadd231ps zmm %6.1f GMAC/s f32", threads, f);
    if (vnni) {
      const double v = rate(vnni_loop, 12 * 64, threads, secs);
      std::printf(" | vpdpbusd zmm %6.1f GMAC/s u8*s8 (%6.1f GOP/s)", v, 2 * v);
      std::printf(" | ymm %6.1f GMAC/s", rate(vnni_ymm_loop, 12 * 32, threads, secs));
    }
    std::printf("\n");
  }
}
