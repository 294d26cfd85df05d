// FP32 vs INT8 of the same textq model on the oneDNN backend, in one process,
// runs alternating (FP32, INT8, FP32, ...) so both see the same machine load.
// Prints every sample, both medians, their ratio, GOP/s (2 x MAC) and the
// fraction of the VNNI int8 peak; -v adds per-layer impl names and median ms.
// --check HxW first runs the INT8 graph on the oneDNN and the reference
// backends at that size (the reference takes ~1 min at 736x1280) and prints
// the raw-output cosine and max abs difference (and INT8 vs FP32 on oneDNN).
//
//   bench_int8_vs_fp32 /tmp/r50.textq /tmp/r50_int8.textq --threads 2 --runs 7 [--size 736x1280] [--check 256x384] [-v]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "backends/onednn/onednn_executor.h"
#include "backends/reference/reference_executor.h"
#include "formats/model.h"
#include "textq/error.h"

namespace {

struct Agreement {
  double cosine = 0, max_abs = 0, ref_max = 0;
};

Agreement agreement(const textq::Tensor& ref, const textq::Tensor& got) {
  Agreement a;
  double rr = 0, gg = 0, rg = 0;
  for (int64_t i = 0; i < ref.numel(); ++i) {
    const double u = ref.data<float>()[i], v = got.data<float>()[i];
    rr += u * u, gg += v * v, rg += u * v;
    a.max_abs = std::max(a.max_abs, std::fabs(u - v));
    a.ref_max = std::max(a.ref_max, std::fabs(u));
  }
  a.cosine = rg / std::sqrt(rr * gg);
  return a;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

struct Subject {
  std::string label;
  textq::Model model;
  std::unique_ptr<textq::Executor> exec;
  std::vector<double> ms;
  std::map<size_t, std::vector<double>> layer_ms;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace textq;
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s FP32.textq INT8.textq [--threads N] [--runs N] [--size HxW] [--peak GOPS_PER_CORE] [-v]\n", argv[0]);
    return 1;
  }
  int threads = 2, runs = 7, h = 736, w = 1280, check_h = 0, check_w = 0;
  double peak_per_core = 465.0;  // AVX-512 VNNI u8s8 GOP/s per core at this clock (the brief's figure)
  bool verbose = false;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (a == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (a == "--peak" && i + 1 < argc) peak_per_core = std::atof(argv[++i]);
    else if (a == "--size" && i + 1 < argc) std::sscanf(argv[++i], "%dx%d", &h, &w);
    else if (a == "--check" && i + 1 < argc) std::sscanf(argv[++i], "%dx%d", &check_h, &check_w);
    else if (a == "-v") verbose = true;
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 1;
    }
  }
  if (threads < 1 || runs < 1 || runs > 1000 || h < 32 || w < 32 || h > 4096 || w > 4096) {
    std::fprintf(stderr, "bad --threads/--runs/--size\n");
    return 1;
  }
  try {
    const Shape shape{1, 3, h, w};
    Tensor input(DType::f32, shape);
    std::mt19937 rng(0);
    std::uniform_real_distribution<float> dist(-2.f, 2.f);
    for (int64_t i = 0; i < input.numel(); ++i) input.data<float>()[i] = dist(rng);

    ExecOptions opts;
    opts.threads = threads;
    opts.verbose = verbose;
    std::vector<Subject> subjects(2);
    for (int s = 0; s < 2; ++s) {
      subjects[s].label = s == 0 ? "fp32" : "int8";
      subjects[s].model = load_model(argv[1 + s]);
      subjects[s].exec = make_onednn_executor(subjects[s].model.graph, opts);
      const auto t0 = std::chrono::steady_clock::now();
      subjects[s].exec->run(input);  // plan + weight packing
      subjects[s].exec->run(input);  // warm
      std::printf("%s: %s, first two runs %.0f ms\n", subjects[s].label.c_str(), subjects[s].exec->describe().c_str(),
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    if (check_h > 0 && check_w > 0) {
      Tensor x(DType::f32, {1, 3, check_h, check_w});
      for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = dist(rng);
      ExecOptions plain;
      plain.threads = threads;
      // Per INT8 node with an integer dst: elements off by one step / by more
      // (each backend runs from its own inputs, so differences propagate).
      const Graph& g8 = subjects[1].model.graph;
      std::map<std::string, Tensor> seen_ref, seen_got;
      NodeObserver oref = [&](const Node& n, const Tensor& t) { seen_ref[n.name] = t; };
      NodeObserver ogot = [&](const Node& n, const Tensor& t) { seen_got[n.name] = t; };
      const Tensor ref = make_reference_executor(g8, plain)->run(x, &oref).at(0);
      const Tensor got = make_onednn_executor(g8, plain)->run(x, &ogot).at(0);
      long long total = 0, off1 = 0, more = 0;
      for (const Node& n : g8.nodes) {
        if (!n.quant.enabled || n.quant.dst_type == DType::f32) continue;
        const Tensor &u = seen_ref.at(n.name), &v = seen_got.at(n.name);
        long long a1 = 0, am = 0;
        for (int64_t i = 0; i < u.numel(); ++i) {
          const float steps = std::nearbyint(std::fabs(u.data<float>()[i] - v.data<float>()[i]) / n.quant.dst_scale);
          a1 += steps == 1.f, am += steps > 1.f;
        }
        total += u.numel(), off1 += a1, more += am;
        if (verbose) std::printf("  check %-40s %9lld el: %6lld off by one, %6lld more\n", n.name.c_str(),
                                 static_cast<long long>(u.numel()), a1, am);
      }
      std::printf("check %dx%d: integer outputs of INT8 nodes: %lld elements, %lld off by one step, %lld off by more\n",
                  check_h, check_w, total, off1, more);
      const Tensor f32 = make_onednn_executor(subjects[0].model.graph, plain)->run(x).at(0);
      const Agreement a = agreement(ref, got), b = agreement(f32, got);
      std::printf("check %dx%d: int8 oneDNN vs int8 reference: cosine %.7f, max abs diff %.3g (|ref| max %.3g)\n",
                  check_h, check_w, a.cosine, a.max_abs, a.ref_max);
      std::printf("check %dx%d: int8 oneDNN vs fp32 oneDNN: cosine %.7f, max abs diff %.3g (|fp32| max %.3g)\n",
                  check_h, check_w, b.cosine, b.max_abs, b.ref_max);
    }
    for (int r = 0; r < runs; ++r) {
      for (Subject& s : subjects) {
        const auto t0 = std::chrono::steady_clock::now();
        s.exec->run(input);
        s.ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (verbose) {
          const auto prof = s.exec->profile();
          for (size_t l = 0; l < prof.size(); ++l) s.layer_ms[l].push_back(prof[l].ms);
        }
      }
      std::printf("run %d: fp32 %.1f ms  int8 %.1f ms\n", r + 1, subjects[0].ms.back(), subjects[1].ms.back());
      std::fflush(stdout);
    }
    const double gop = 2.0 * static_cast<double>(subjects[0].model.graph.count_macs(shape)) / 1e9;
    for (Subject& s : subjects) {
      const double med = median(s.ms);
      std::printf("%s: median %.1f ms  min %.1f ms  max %.1f ms  %.1f GOP  %.1f GOP/s\n", s.label.c_str(), med,
                  *std::min_element(s.ms.begin(), s.ms.end()), *std::max_element(s.ms.begin(), s.ms.end()), gop,
                  gop / (med / 1e3));
    }
    const double m8 = median(subjects[1].ms), m32 = median(subjects[0].ms);
    std::printf("ratio int8/fp32 (medians): %.3f\n", m8 / m32);
    std::printf("int8 fraction of VNNI peak (%.0f GOP/s/core x %d): %.1f %%\n", peak_per_core, threads,
                100.0 * gop / (m8 / 1e3) / (peak_per_core * threads));
    if (verbose) {
      for (Subject& s : subjects) {
        const auto prof = s.exec->profile();
        std::printf("-- %s per layer (median ms, impl)\n", s.label.c_str());
        for (size_t l = 0; l < prof.size(); ++l)
          std::printf("  %-40s %8.2f  %s\n", prof[l].name.c_str(), median(s.layer_ms[l]), prof[l].impl.c_str());
      }
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
