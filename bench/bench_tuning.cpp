// OneDnnTuning switches off and on (--switch NAME[,NAME...], default
// fuse_epilogues; several turn off and on together) for each model given, in
// one process, runs alternating
// (off, on, off, ...) so both see the same machine load. Prints both medians
// and their ratio, the reorders left in each plan, the nodes run as post-ops,
// and the largest output difference between the two.
//
// With --nodes, every node is timed (a stream wait after each) and the nodes
// whose kernel differs between the two are listed with both medians.
//
//   bench_tuning fp32.textq int8.textq [--switch fuse_epilogues[,sink_binary_chains...]] [--threads 2] [--runs 9]
//                [--size 736x1280] [--nodes]
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
#include "formats/model.h"
#include "textq/error.h"

namespace {

// The boolean switches of OneDnnTuning, by name.
struct Switch {
  const char* name;
  bool textq::OneDnnTuning::*member;
};
const Switch kSwitches[] = {
    {"fuse_epilogues", &textq::OneDnnTuning::fuse_epilogues},
    {"sink_binary_chains", &textq::OneDnnTuning::sink_binary_chains},
    {"pool_before_pointwise", &textq::OneDnnTuning::pool_before_pointwise},
    {"conv_binary_epilogues", &textq::OneDnnTuning::conv_binary_epilogues},
    {"concat_copy_kernel", &textq::OneDnnTuning::concat_copy_kernel},
    {"phase_copy_kernel", &textq::OneDnnTuning::phase_copy_kernel},
    {"quantize_planes_kernel", &textq::OneDnnTuning::quantize_planes_kernel},
    {"int8_narrow_kernel", &textq::OneDnnTuning::int8_narrow_kernel},
    {"int8_stem_kernel", &textq::OneDnnTuning::int8_stem_kernel},
    {"winograd", &textq::OneDnnTuning::winograd},
    {"nhwc_before_avx512", &textq::OneDnnTuning::nhwc_before_avx512},
    {"deconv_winograd_before_avx512", &textq::OneDnnTuning::deconv_winograd_before_avx512},
    {"jit_int8_residual_1x1", &textq::OneDnnTuning::jit_int8_residual_1x1},
    {"jit_int8_plain_1x1", &textq::OneDnnTuning::jit_int8_plain_1x1},
    {"jit_bf16_residual_1x1", &textq::OneDnnTuning::jit_bf16_residual_1x1},
    {"fold_output_pointwise", &textq::OneDnnTuning::fold_output_pointwise},
    {"int8_deconv_k4s2_kernel", &textq::OneDnnTuning::int8_deconv_k4s2_kernel},
    {"jit_int8_narrow_oc", &textq::OneDnnTuning::jit_int8_narrow_oc},
    {"jit_int8_3x3", &textq::OneDnnTuning::jit_int8_3x3},
    {"deconv_pixel_shuffle", &textq::OneDnnTuning::deconv_pixel_shuffle},
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

double timed_run(textq::Executor& e, const textq::Tensor& x, std::vector<textq::Tensor>* out) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<textq::Tensor> y = e.run(x);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (out) *out = std::move(y);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> models;
  int threads = 2, runs = 9, h = 736, w = 1280;
  bool nodes = false;
  std::vector<const Switch*> sws{&kSwitches[0]};
  std::string names = kSwitches[0].name;
  for (int i = 1; i < argc; ++i) {
    const bool more = i + 1 < argc;
    if (!std::strcmp(argv[i], "--threads") && more) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--runs") && more) runs = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--nodes")) nodes = true;
    else if (!std::strcmp(argv[i], "--switch") && more) {
      names = argv[++i];
      sws.clear();
      size_t start = 0;
      for (;;) {
        const size_t comma = names.find(',', start);
        const std::string name = names.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const Switch* sw = nullptr;
        for (const Switch& s : kSwitches)
          if (name == s.name) sw = &s;
        if (!sw) return std::fprintf(stderr, "bench_tuning: no OneDnnTuning switch named %s\n", name.c_str()), 2;
        sws.push_back(sw);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    else if (!std::strcmp(argv[i], "--size") && more && std::sscanf(argv[++i], "%dx%d", &h, &w) == 2) continue;
    else if (argv[i][0] != '-') models.push_back(argv[i]);
    else return std::fprintf(stderr, "usage: bench_tuning MODEL... [--switch NAME[,NAME...]] [--threads N] [--runs N] [--size HxW] [--nodes]\n"), 2;
  }
  if (models.empty() || runs < 1 || h < 32 || w < 32) return std::fprintf(stderr, "bench_tuning: nothing to run\n"), 2;
  try {
    textq::Tensor x(textq::DType::f32, {1, 3, h, w});
    std::mt19937 rng(7);
    std::normal_distribution<float> dist(0.f, 1.f);
    for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = dist(rng);
    textq::ExecOptions options;
    options.threads = threads;
    options.verbose = nodes;  // per-node times
    std::printf("OneDnnTuning::%s off / on, input [1, 3, %d, %d], %d threads, %d runs alternating (after one warm-up each)\n",
                names.c_str(), h, w, threads, runs);
    for (const std::string& path : models) {
      const textq::Model model = textq::load_model(path);
      textq::OneDnnTuning off, on;
      for (const Switch* sw : sws) off.*(sw->member) = false, on.*(sw->member) = true;
      auto e_off = textq::make_onednn_executor(model.graph, options, off);
      auto e_on = textq::make_onednn_executor(model.graph, options, on);
      std::vector<textq::Tensor> y_off, y_on;
      timed_run(*e_off, x, &y_off);
      timed_run(*e_on, x, &y_on);
      double max_diff = 0;
      for (size_t o = 0; o < y_on.size(); ++o)
        for (int64_t i = 0; i < y_on[o].numel(); ++i)
          max_diff = std::max(max_diff, double(std::fabs(y_on[o].data<float>()[i] - y_off[o].data<float>()[i])));
      std::vector<double> t_off, t_on;
      std::map<std::string, std::vector<double>> n_off, n_on;  // node -> ms per run
      std::map<std::string, std::pair<std::string, std::string>> impls;
      auto collect = [&](const textq::Executor& e, std::map<std::string, std::vector<double>>& to, bool is_on) {
        for (const textq::NodeProfile& p : e.profile()) {
          to[p.name].push_back(p.ms);
          (is_on ? impls[p.name].second : impls[p.name].first) = p.impl;
        }
      };
      for (int r = 0; r < runs; ++r) {
        t_off.push_back(timed_run(*e_off, x, nullptr));
        if (nodes) collect(*e_off, n_off, false);
        t_on.push_back(timed_run(*e_on, x, nullptr));
        if (nodes) collect(*e_on, n_on, true);
      }
      const textq::OneDnnStats s_off = textq::onednn_stats(*e_off), s_on = textq::onednn_stats(*e_on);
      std::printf("%s (%s)\n  off median %.1f ms (min %.1f), %d reorders\n"
                  "  on  median %.1f ms (min %.1f), %d reorders, %d nodes run as post-ops\n"
                  "  ratio on / off %.3f, max abs output difference %.3g\n",
                  path.c_str(), model.info.precision.c_str(), median(t_off),
                  *std::min_element(t_off.begin(), t_off.end()), s_off.layout_reorders, median(t_on),
                  *std::min_element(t_on.begin(), t_on.end()), s_on.layout_reorders, s_on.fused_epilogue_nodes,
                  median(t_on) / median(t_off), max_diff);
      for (const auto& [name, impl] : impls) {
        if (impl.first == impl.second) continue;
        const double a = n_off.count(name) ? median(n_off[name]) : 0.0, b = n_on.count(name) ? median(n_on[name]) : 0.0;
        std::printf("  node %-40s off %7.2f ms %-40s on %7.2f ms %s\n", name.c_str(), a,
                    impl.first.empty() ? "(absent)" : impl.first.c_str(), b, impl.second.empty() ? "(absent)" : impl.second.c_str());
      }
    }
  } catch (const textq::Error& e) {
    std::fprintf(stderr, "bench_tuning: %s\n", e.what());
    return 1;
  }
  return 0;
}
