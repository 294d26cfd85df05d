// Times decode_textsnake (fast path) against decode_textsnake_full_frame (the
// straightforward full-frame reference) in one run, on synthetic maps, and
// checks that both give identical instances (polygons, order, scores bit for bit).
// Usage: bench_decoder [H W] [--reps R] [--full-reps R] [--fast-only] [--instances N,M,...]
//        [--npy file.npy]...
// (--npy: a (1,5,h,w) head output, tiled to H x W). Results: bench/bench_decoder.txt.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include <time.h>

#include "../tests/unit/textdet/synthetic_textsnake_map.h"
#include "core/npy.h"
#include "textdet/textsnake_decoder.h"
#include "textdet/textsnake_decoder_full_frame.h"

using namespace textq;

namespace {

double thread_cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Median wall and median thread-CPU milliseconds of `reps` calls (CPU time is
// the steadier figure on a shared machine: it excludes time spent descheduled).
struct Timing {
  double wall, cpu;
};

template <class F>
Timing median_ms(int reps, F&& f) {
  std::vector<double> wall, cpu;
  for (int r = 0; r < reps; ++r) {
    const double c0 = thread_cpu_ms();
    const auto t0 = std::chrono::steady_clock::now();
    f();
    wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    cpu.push_back(thread_cpu_ms() - c0);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

bool same(const std::vector<TextInstance>& a, const std::vector<TextInstance>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].polygon != b[i].polygon || std::memcmp(&a[i].score, &b[i].score, sizeof(double)))
      return false;
  return true;
}

// Tiles a (1,5,h,w) map to 5 x H x W.
std::vector<float> tile_npy(const std::string& path, int H, int W) {
  const Tensor t = npy_read(path);
  const int h = static_cast<int>(t.dim(2)), w = static_cast<int>(t.dim(3));
  const float* s = t.data<float>();
  std::vector<float> m(5 * static_cast<size_t>(H) * W);
  for (int c = 0; c < 5; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x)
        m[(static_cast<size_t>(c) * H + y) * W + x] = s[(static_cast<size_t>(c) * h + y % h) * w + x % w];
  return m;
}

bool g_fast_only = false;

void run(const char* name, const std::vector<float>& maps, int H, int W, int reps, int full_reps) {
  DecoderParams p;
  std::vector<TextInstance> fast, full;
  const Timing tf = median_ms(reps, [&] { fast = decode_textsnake(maps.data(), H, W, p); });
  if (g_fast_only) {
    std::printf("%-28s %4zu inst  fast %7.2f ms (cpu %7.2f)\n", name, fast.size(), tf.wall, tf.cpu);
    return;
  }
  const Timing tr = median_ms(full_reps, [&] { full = decode_textsnake_full_frame(maps.data(), H, W, p); });
  std::printf("%-28s %4zu inst  full-frame %7.1f ms (cpu %7.1f)  fast %6.2f ms (cpu %6.2f)  x%.0f  %s\n",
              name, fast.size(), tr.wall, tr.cpu, tf.wall, tf.cpu, tr.cpu / tf.cpu,
              same(fast, full) ? "identical" : "MISMATCH");
}

}  // namespace

int main(int argc, char** argv) {
  int H = 736, W = 1312, reps = 7, full_reps = 3;
  std::vector<int> counts = {0, 5, 20, 40};
  std::vector<std::string> npys;
  std::vector<int> dims;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--full-reps") && i + 1 < argc) full_reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--fast-only")) g_fast_only = true;
    else if (!std::strcmp(argv[i], "--npy") && i + 1 < argc) npys.push_back(argv[++i]);
    else if (!std::strcmp(argv[i], "--instances") && i + 1 < argc) {
      counts.clear();
      std::stringstream ss(argv[++i]);
      for (std::string tok; std::getline(ss, tok, ',');) counts.push_back(std::atoi(tok.c_str()));
    } else dims.push_back(std::atoi(argv[i]));
  }
  if (dims.size() == 2) H = dims[0], W = dims[1];
  std::printf("map %dx%d, median of %d (fast) / %d (full-frame) runs, one thread\n", H, W, reps, full_reps);
  for (int n : counts) {
    const std::vector<float> maps = test::make_synthetic_maps(H, W, n);
    run(("synthetic, " + std::to_string(n) + " instances").c_str(), maps, H, W, reps, full_reps);
  }
  {
    // worst case for the logit shortcut: no text, but every pixel needs both
    // sigmoids (T ~ 0.5, sigmoid(P1) ~ 0.27, S ~ 0.13 < 0.2)
    std::vector<float> maps = test::make_synthetic_maps(H, W, 0);
    const size_t n = static_cast<size_t>(H) * W;
    for (size_t i = 0; i < n; ++i) {
      maps[i] = 0.1f * test::synth_noise(i % W, i / W, 10, 3);
      maps[n + i] = -1.0f + 0.1f * test::synth_noise(i % W, i / W, 11, 3);
    }
    run("no text, S near threshold", maps, H, W, reps, full_reps);
  }
  for (const std::string& f : npys) {
    const std::vector<float> maps = tile_npy(f, H, W);
    run(("tiled " + f.substr(f.find_last_of('/') + 1)).c_str(), maps, H, W, reps, full_reps);
  }
  return 0;
}
