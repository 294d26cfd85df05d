// Every 3x3 stride-1 conv shape of TextSnake R50 (736x1280 input) alone:
// direct (oneDNN brgconv) vs our nhwc Winograd F(4x4,3x3), runs alternating
// in one process, per-layer minimum and median ms, and the max error of each
// against the reference backend on a small crop of the same shape.
// Usage: bench_winograd_layers [--threads N] [--reps R]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "backends/onednn/onednn_executor.h"
#include "backends/reference/reference_executor.h"

using namespace textq;

namespace {

struct Shape3x3 {
  const char* name;
  int ic, oc, h, w;
};

// R50 caffe style: every Bottleneck conv2 is 3x3 stride 1; the neck's conv3x3.
const Shape3x3 kShapes[] = {
    {"layer1.*.conv2", 64, 64, 184, 320},        {"layer2.*.conv2", 128, 128, 92, 160},
    {"layer3.*.conv2", 256, 256, 46, 80},        {"layer4.*.conv2", 512, 512, 23, 40},
    {"up_block3.conv3x3", 1280, 128, 46, 80},    {"up_block2.conv3x3", 640, 64, 92, 160},
    {"up_block1.conv3x3", 320, 32, 184, 320},    {"up_block0.conv3x3", 32, 32, 368, 640},
};

Tensor random_tensor(const Shape& shape, float scale, std::mt19937& rng) {
  Tensor t(DType::f32, shape);
  std::uniform_real_distribution<float> d(-scale, scale);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// input [1,3,H,W] -> 1x1 conv 3->ic (an nhwc producer) -> 3x3 conv ic->oc + bias + ReLU.
Graph make_graph(const Shape3x3& s, std::mt19937& rng) {
  Graph g;
  g.input = g.add_value("input");
  Node a;
  a.name = "producer";
  a.op = OpKind::Conv;
  a.inputs = {g.input};
  a.weight = random_tensor({s.ic, 3, 1, 1}, 0.5f, rng);
  a.bias = random_tensor({s.ic}, 0.1f, rng);
  a.activation = Activation::Relu;
  a.output = g.add_value("x");
  Node b;
  b.name = s.name;
  b.op = OpKind::Conv;
  b.inputs = {a.output};
  b.window.kernel_h = b.window.kernel_w = 3;
  b.window.pad_top = b.window.pad_bottom = b.window.pad_left = b.window.pad_right = 1;
  b.weight = random_tensor({s.oc, s.ic, 3, 3}, 1.f / std::sqrt(9.f * s.ic), rng);
  b.bias = random_tensor({s.oc}, 0.1f, rng);
  b.activation = Activation::Relu;
  b.output = g.add_value("y");
  g.nodes = {a, b};
  g.outputs = {b.output};
  return g;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  double m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::fabs(double(a.data<float>()[i]) - b.data<float>()[i]));
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, reps = 5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
  }
  try {
    std::mt19937 rng(3);
    ExecOptions opts;
    opts.threads = threads;
    opts.verbose = true;
    OneDnnTuning direct_tuning;
    direct_tuning.winograd = false;
    std::printf("%-20s %5s %5s %9s %6s | %9s %9s | %9s %9s | %6s | %9s %9s\n", "layer", "ic", "oc", "HxW", "GMAC",
                "direct", "(median)", "wino", "(median)", "ratio", "err dir", "err wino");
    double sum_direct = 0, sum_wino = 0;
    for (const Shape3x3& s : kShapes) {
      const Graph g = make_graph(s, rng);
      auto direct = make_onednn_executor(g, opts, direct_tuning);
      auto wino = make_onednn_executor(g, opts);
      const Tensor x = random_tensor({1, 3, s.h, s.w}, 1.f, rng);
      direct->run(x), wino->run(x);  // plans + packing
      std::vector<double> td, tw;
      for (int r = 0; r < reps; ++r) {
        direct->run(x);
        td.push_back(direct->profile().at(1).ms);
        wino->run(x);
        tw.push_back(wino->profile().at(1).ms);
      }
      std::sort(td.begin(), td.end());
      std::sort(tw.begin(), tw.end());
      // Accuracy on a 40x56 crop (the reference backend is slow).
      const Tensor xs = random_tensor({1, 3, 40, 56}, 1.f, rng);
      const Tensor ref = make_reference_executor(g, opts)->run(xs).at(0);
      const double ed = max_abs_diff(ref, direct->run(xs).at(0)), ew = max_abs_diff(ref, wino->run(xs).at(0));
      const double gmac = double(s.ic) * s.oc * 9 * s.h * s.w / 1e9;
      std::printf("%-20s %5d %5d %4dx%-4d %6.2f | %9.2f %9.2f | %9.2f %9.2f | %6.3f | %9.2e %9.2e  [%s]\n", s.name,
                  s.ic, s.oc, s.h, s.w, gmac, td.front(), td[td.size() / 2], tw.front(), tw[tw.size() / 2],
                  tw.front() / td.front(), ed, ew, wino->profile().at(1).impl.c_str());
      sum_direct += td.front(), sum_wino += tw.front();
    }
    std::printf("sum of minima: direct %.1f ms, winograd %.1f ms (ratio %.3f), %d threads\n", sum_direct, sum_wino,
                sum_wino / sum_direct, threads);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
