// textq bench MODEL: time the network alone on a synthetic input.
// Warm-up runs first; then every sample is kept and median/min/max reported.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "core/file_util.h"
#include "formats/model.h"
#include "runtime/executor.h"
#include "runtime/system_info.h"
#include "runtime_options.h"
#include "textq/error.h"

namespace textq::cli {

namespace {

struct BenchArgs {
  std::string model;
  std::string size = "736x1280";
  int runs = 10;
  int warmup = 2;
  std::string json;
  RuntimeOptions runtime;
};

Shape parse_size(const std::string& s) {
  int h = 0, w = 0;
  char x = 0, extra = 0;
  if (std::sscanf(s.c_str(), "%d%c%d%c", &h, &x, &w, &extra) != 3 || (x != 'x' && x != 'X') || h < 32 || w < 32 ||
      h > 8192 || w > 8192 || h % 32 || w % 32)
    throw Error(ErrorKind::InvalidArgument, "--size " + s + ": expected HxW with multiples of 32 in 32..8192, e.g. 736x1280");
  return {1, 3, h, w};
}

double peak_rss_mb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;  // Linux reports KiB
}

void run_bench(const BenchArgs& a, const GlobalOptions& g) {
  const Shape shape = parse_size(a.size);
  Model model = load_model(a.model);
  ExecOptions exec;
  exec.threads = a.runtime.threads;
  exec.verbose = true;  // per-layer impl names and times
  auto executor = make_executor(model.graph, parse_backend(a.runtime.backend), exec);

  Tensor input(DType::f32, shape);
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> dist(-2.f, 2.f);
  float* p = input.data<float>();
  for (int64_t i = 0; i < input.numel(); ++i) p[i] = dist(rng);

  const int64_t macs = model.graph.count_macs(shape);
  if (!g.quiet) std::fprintf(stderr, "bench: %s, input %s, %s backend, %d threads, %d warm-up + %d runs\n", a.model.c_str(),
                             shape_str(shape).c_str(), a.runtime.backend.c_str(), effective_threads(a.runtime.threads), a.warmup, a.runs);
  for (int i = 0; i < a.warmup; ++i) executor->run(input);
  std::vector<double> ms;
  std::vector<std::vector<NodeProfile>> layer_samples;
  for (int i = 0; i < a.runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    executor->run(input);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    layer_samples.push_back(executor->profile());
    if (!g.quiet) std::fprintf(stderr, "\r  run %d/%d: %.1f ms   ", i + 1, a.runs, ms.back());
  }
  if (!g.quiet) std::fprintf(stderr, "\n");
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted.size() % 2 ? sorted[sorted.size() / 2] : 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]);
  const double gops = 2.0 * static_cast<double>(macs) / (median * 1e6);

  // Per-layer median over the runs.
  nlohmann::json layers = nlohmann::json::array();
  const std::vector<NodeProfile>& last = layer_samples.back();
  for (size_t l = 0; l < last.size(); ++l) {
    std::vector<double> t;
    for (const auto& s : layer_samples)
      if (l < s.size()) t.push_back(s[l].ms);
    std::sort(t.begin(), t.end());
    layers.push_back({{"name", last[l].name}, {"impl", last[l].impl}, {"median_ms", t.empty() ? 0.0 : t[t.size() / 2]}});
  }

  fmt::print("model {} | input {} | backend {} | threads {} | isa {}\n", a.model, shape_str(shape), a.runtime.backend,
             effective_threads(a.runtime.threads), cpu_isa_name());
  fmt::print("median {:.1f} ms  min {:.1f} ms  max {:.1f} ms  ({} runs)  {:.1f} GMAC  {:.1f} GOP/s  peak RSS {:.0f} MB\n", median,
             sorted.front(), sorted.back(), a.runs, macs / 1e9, gops, peak_rss_mb());
  if (g.verbose) {
    for (const auto& l : layers)
      fmt::print("  {:<40} {:>9.2f} ms  {}\n", l["name"].get<std::string>(), l["median_ms"].get<double>(), l["impl"].get<std::string>());
  }
  if (!a.json.empty()) {
    nlohmann::json j = {{"model", a.model},
                        {"precision", model.info.precision},
                        {"input_shape", shape},
                        {"backend", a.runtime.backend},
                        {"threads", effective_threads(a.runtime.threads)},
                        {"isa", cpu_isa_name()},
                        {"runs", a.runs},
                        {"warmup", a.warmup},
                        {"samples_ms", ms},
                        {"median_ms", median},
                        {"min_ms", sorted.front()},
                        {"max_ms", sorted.back()},
                        {"gmacs", macs / 1e9},
                        {"gops", gops},
                        {"peak_rss_mb", peak_rss_mb()},
                        {"layers", layers}};
    write_text_atomic(a.json, j.dump(2) + "\n");
  }
}

}  // namespace

void register_bench(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "Time the network alone on a synthetic input (median, min, max, GOP/s, per layer)");
  cmd->add_option("model", args->model, "textq model file")->required();
  cmd->add_option("--size", args->size, "Input HxW (multiples of 32)")->capture_default_str();
  cmd->add_option("--runs", args->runs, "Timed runs")->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--warmup", args->warmup, "Untimed warm-up runs")->check(CLI::Range(0, 1000))->capture_default_str();
  cmd->add_option("--json", args->json, "Write all samples and per-layer times as JSON");
  add_runtime_options(*cmd, args->runtime, false);
  cmd->callback([args, &global] { run_bench(*args, global); });
}

}  // namespace textq::cli
