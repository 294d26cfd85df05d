// Times the oneDNN backend on the TextSnake R50 topology (random weights).
// Usage: bench_onednn_textsnake [H W] [--threads N] [--reps R] [--no-winograd] [--profile] [--check]
// --check also runs the reference backend once and prints the max errors.
// Prints one line per run, then median ms, GFLOP/s (2 * MACs) and the
// implementations used (counted), and flags any node on a `ref:` kernel.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <cmath>
#include <ctime>

#include "backends/onednn/onednn_executor.h"
#include "backends/reference/reference_executor.h"
#include "textsnake_like_graph.h"

using namespace textq;

// CPU time of the whole process (all threads): on a shared machine this shows
// the work done even when wall time includes waiting for a core.
static double cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char** argv) {
  int64_t h = 736, w = 1280;
  int threads = 2, reps = 5;
  bool profile = false, check = false;
  OneDnnTuning tuning;
  std::vector<int64_t> dims;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--no-winograd")) tuning.winograd = false;
    else if (!std::strcmp(argv[i], "--profile")) profile = true;
    else if (!std::strcmp(argv[i], "--check")) check = true;
    else dims.push_back(std::atoll(argv[i]));
  }
  if (dims.size() == 2) h = dims[0], w = dims[1];
  try {
    const Graph graph = bench::TextSnakeLikeGraph().build();
    const Shape shape{1, 3, h, w};
    const double gmac = static_cast<double>(graph.count_macs(shape)) / 1e9;
    Tensor input(DType::f32, shape);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-2.f, 2.f);
    for (int64_t i = 0; i < input.numel(); ++i) input.data<float>()[i] = dist(rng);

    ExecOptions opts;
    opts.threads = threads;
    opts.verbose = profile;
    auto exec = make_onednn_executor(graph, opts, tuning);
    std::printf("%s, input %s, %.1f GMAC, %zu nodes\n", exec->describe().c_str(), shape_str(shape).c_str(), gmac,
                graph.nodes.size());
    auto t0 = std::chrono::steady_clock::now();
    exec->run(input);  // builds the plan
    std::printf("first run (plan + weight packing): %.1f ms\n",
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    std::vector<double> ms, best_node_ms;  // per-node minimum over runs (with --profile)
    for (int r = 0; r < reps; ++r) {
      t0 = std::chrono::steady_clock::now();
      const double c0 = cpu_ms();
      exec->run(input);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      std::printf("run %d: %.1f ms (process CPU time %.1f ms)\n", r, ms.back(), cpu_ms() - c0);
      const std::vector<NodeProfile> prof = exec->profile();
      if (best_node_ms.empty()) best_node_ms.assign(prof.size(), 1e300);
      for (size_t i = 0; i < prof.size(); ++i) best_node_ms[i] = std::min(best_node_ms[i], prof[i].ms);
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms[ms.size() / 2];
    const OneDnnStats st = onednn_stats(*exec);
    std::printf("median %.1f ms (min %.1f), %.1f GFLOP/s; activations %.0f MB, packed weights %.0f MB, %d reorders\n",
                median, ms.front(), 2.0 * gmac / median * 1e3, st.activation_bytes / 1e6,
                st.packed_weight_bytes / 1e6, st.layout_reorders);
    if (profile) {
      // On a shared machine the per-node minimum over runs is the best estimate
      // of an unloaded run (each node's best slice without interference).
      double sum = 0;
      for (double b : best_node_ms) sum += b;
      std::printf("sum of per-node minimum times: %.1f ms (%.1f GFLOP/s)\n", sum, 2.0 * gmac / sum * 1e3);
    }
    std::map<std::string, int> impls;
    int refs = 0;
    for (const NodeProfile& p : exec->profile()) {
      impls[p.impl]++;
      if (p.impl.rfind("ref", 0) == 0) ++refs, std::printf("REF KERNEL: %s %s\n", p.name.c_str(), p.impl.c_str());
      if (profile) std::printf("  %-40s %-26s %8.2f ms\n", p.name.c_str(), p.impl.c_str(), p.ms);
    }
    for (const auto& [name, count] : impls) std::printf("impl %-28s x%d\n", name.c_str(), count);
    std::printf("nodes on ref kernels: %d\n", refs);
    if (check) {
      const Tensor got = exec->run(input).at(0);
      t0 = std::chrono::steady_clock::now();
      const Tensor ref = make_reference_executor(graph, opts)->run(input).at(0);
      const double ref_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      double max_abs = 0, max_ref = 0, sum_abs = 0;
      for (int64_t i = 0; i < ref.numel(); ++i) {
        const double d = std::fabs(double(ref.data<float>()[i]) - got.data<float>()[i]);
        max_abs = std::max(max_abs, d);
        sum_abs += d;
        max_ref = std::max(max_ref, std::fabs(double(ref.data<float>()[i])));
      }
      std::printf("check vs reference (%.0f ms): max abs err %.3g, mean abs err %.3g, max |ref| %.3g\n", ref_ms,
                  max_abs, sum_abs / double(ref.numel()), max_ref);
    }
    return refs == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
