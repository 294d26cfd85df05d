// textq bench MODEL [MODEL...]: time the network alone on a synthetic input.
// With several models the runs alternate (A B A B ...) so every model sees the
// same machine state, and the medians are reported as ratios to the first
// model: on a shared, noisy machine only ratios from one run compare.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
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
  std::vector<std::string> models;
  std::string size = "736x1280";
  int runs = 10;
  int warmup = 2;
  std::vector<std::string> json;
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

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

struct Subject {
  std::string path;
  bool bf16 = false;  // FP32 layers in bf16 (--precision bf16, or the model given as PATH@bf16)
  std::string precision() const { return bf16 ? "bf16" : model.info.precision; }
  Model model;
  std::unique_ptr<Executor> executor;
  int64_t macs = 0;
  std::vector<double> ms;
  std::vector<std::vector<NodeProfile>> layers;  // per run
};

nlohmann::json layer_medians(const Subject& s) {
  nlohmann::json layers = nlohmann::json::array();
  const std::vector<NodeProfile>& last = s.layers.back();
  for (size_t l = 0; l < last.size(); ++l) {
    std::vector<double> t;
    for (const auto& run : s.layers)
      if (l < run.size()) t.push_back(run[l].ms);
    layers.push_back({{"name", last[l].name}, {"impl", last[l].impl}, {"median_ms", t.empty() ? 0.0 : median_of(t)}});
  }
  return layers;
}

void run_bench(const BenchArgs& a, const GlobalOptions& g) {
  if (!a.json.empty() && a.json.size() != a.models.size())
    throw Error(ErrorKind::InvalidArgument, fmt::format("--json given {} time(s) for {} model(s): give one file per model, in order",
                                                        a.json.size(), a.models.size()));
  const Shape shape = parse_size(a.size);
  const int threads = effective_threads(a.runtime.threads);
  ExecOptions exec;
  exec.threads = a.runtime.threads;
  exec.verbose = true;  // per-layer impl names and times
  std::vector<Subject> subjects(a.models.size());
  for (size_t i = 0; i < a.models.size(); ++i) {
    Subject& s = subjects[i];
    s.path = a.models[i];
    s.bf16 = a.runtime.precision == "bf16";
    // PATH@bf16: this model alone in bf16, so FP32 and bf16 alternate in one run.
    const std::string suffix = "@bf16";
    if (s.path.size() > suffix.size() && s.path.compare(s.path.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        !std::filesystem::exists(s.path)) {
      s.path.resize(s.path.size() - suffix.size());
      s.bf16 = true;
    }
    s.model = load_model(s.path);
    if (!g.quiet) note_int8_on_this_cpu(a.runtime, s.model.graph, s.path);
    exec.bf16 = s.bf16;
    s.executor = make_executor(s.model.graph, parse_backend(a.runtime.backend), exec);
    s.macs = s.model.graph.count_macs(shape);
  }

  Tensor input(DType::f32, shape);
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> dist(-2.f, 2.f);
  float* p = input.data<float>();
  for (int64_t i = 0; i < input.numel(); ++i) p[i] = dist(rng);

  if (!g.quiet)
    fmt::print(stderr, "bench: {} model(s), input {}, {} backend, {} threads, {} warm-up + {} runs{}\n", subjects.size(),
               shape_str(shape), a.runtime.backend, threads, a.warmup, a.runs, subjects.size() > 1 ? ", alternating" : "");
  for (Subject& s : subjects)
    for (int i = 0; i < a.warmup; ++i) s.executor->run(input);  // builds primitives, packs weights
  for (int i = 0; i < a.runs; ++i) {
    for (Subject& s : subjects) {
      const auto t0 = std::chrono::steady_clock::now();
      s.executor->run(input);
      s.ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      s.layers.push_back(s.executor->profile());
    }
    if (!g.quiet) fmt::print(stderr, "\r  run {}/{}   ", i + 1, a.runs);
  }
  if (!g.quiet) fmt::print(stderr, "\n");

  const double first_median = median_of(subjects.front().ms);
  fmt::print("input {} | backend {} | threads {} | isa {} | {} runs{}\n", shape_str(shape), a.runtime.backend, threads,
             cpu_isa_name(), a.runs, subjects.size() > 1 ? " alternating" : "");
  for (size_t k = 0; k < subjects.size(); ++k) {
    Subject& s = subjects[k];
    const double median = median_of(s.ms);
    const double gops = 2.0 * static_cast<double>(s.macs) / (median * 1e6);
    const auto [mn, mx] = std::minmax_element(s.ms.begin(), s.ms.end());
    fmt::print("{} ({}): median {:.1f} ms  min {:.1f}  max {:.1f}  {:.1f} GMAC  {:.1f} GOP/s", s.path, s.precision(), median,
               *mn, *mx, s.macs / 1e9, gops);
    if (k > 0) fmt::print("  ratio to {}: {:.3f}", subjects.front().path, median / first_median);
    fmt::print("\n");
    const nlohmann::json layers = layer_medians(s);
    if (g.verbose)
      for (const auto& l : layers)
        fmt::print("  {:<40} {:>9.2f} ms  {}\n", l["name"].get<std::string>(), l["median_ms"].get<double>(),
                   l["impl"].get<std::string>());
    if (!a.json.empty()) {
      nlohmann::json j = {{"model", s.path},
                          {"precision", s.precision()},
                          {"input_shape", shape},
                          {"backend", a.runtime.backend},
                          {"threads", threads},
                          {"isa", cpu_isa_name()},
                          {"runs", a.runs},
                          {"warmup", a.warmup},
                          {"samples_ms", s.ms},
                          {"median_ms", median},
                          {"min_ms", *mn},
                          {"max_ms", *mx},
                          {"gmacs", s.macs / 1e9},
                          {"gops", gops},
                          {"peak_rss_mb", peak_rss_mb()},  // of the whole process (all models loaded)
                          {"ratio_to_first", median / first_median},
                          {"first_model", subjects.front().path},
                          {"layers", layers}};
      write_text_atomic(a.json[k], j.dump(2) + "\n");
    }
  }
  fmt::print("peak RSS {:.0f} MB\n", peak_rss_mb());
}

}  // namespace

void register_bench(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Time the network alone on a synthetic input (median, min, max, GOP/s, per layer); several models alternate");
  cmd->add_option("models", args->models,
                  "textq model file(s); with several, runs alternate and ratios are to the first; PATH@bf16 runs that "
                  "model in bf16")
      ->required();
  cmd->add_option("--size", args->size, "Input HxW (multiples of 32)")->capture_default_str();
  cmd->add_option("--runs", args->runs, "Timed runs per model")->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--warmup", args->warmup, "Untimed warm-up runs per model")->check(CLI::Range(0, 1000))->capture_default_str();
  cmd->add_option("--json", args->json, "Write samples and per-layer times as JSON: one file per model, in order");
  add_runtime_options(*cmd, args->runtime, false);
  cmd->callback([args, &global] { run_bench(*args, global); });
}

}  // namespace textq::cli
