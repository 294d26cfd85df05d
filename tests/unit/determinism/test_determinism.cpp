// Determinism: the same input through the same graph gives the same output
// across repeated runs and across 1 and 2 threads. FP32 on oneDNN within 1e-6
// (a reduction split differently across threads may round differently); INT8
// bitwise identical (integer accumulation, one rounding per output), on oneDNN
// and on the reference backend. Graph: the r18w4 fixture checkpoint of
// tests/data/network (random weights), INT8 from src/quant's own pipeline.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/npy.h"
#include "importers/pytorch/state_dict.h"
#include "importers/textsnake/textsnake_builder.h"
#include "quant/calibrator.h"
#include "quant/quantize_graph.h"
#include "runtime/executor.h"

namespace textq {
namespace {

const char* kNet = "tests/data/network/";

Graph fixture_graph() {
  TextSnakeBuildOptions opt;
  opt.style = ResNetStyle::Caffe;
  return build_textsnake_graph(load_pth(std::string(kNet) + "r18w4_caffe_1x.pth"), opt);
}

// Calibrated on the fixture inputs (min/max: fast, and determinism does not
// depend on the observer), then quantized with the default options.
Graph int8_graph(const Graph& fp32) {
  const std::vector<std::string> files = {"input_1x64x96.npy", "input_1x96x128.npy", "input_1x32x192.npy"};
  quant::CalibInputs in;
  in.count = files.size();
  in.get = [&](size_t i) { return npy_read(kNet + files[i]); };
  quant::CalibOptions co;
  co.method = quant::CalibMethod::MinMax;
  return quant::quantize_graph(fp32, quant::calibrate(fp32, in, co), quant::QuantOptions{});
}

// Outputs of `runs` runs with a fresh executor of `threads` threads.
std::vector<std::vector<Tensor>> run_many(const Graph& g, BackendKind kind, int threads, const Tensor& x, int runs) {
  ExecOptions eo;
  eo.threads = threads;
  auto ex = make_executor(g, kind, eo);
  std::vector<std::vector<Tensor>> out;
  for (int r = 0; r < runs; ++r) out.push_back(ex->run(x));
  return out;
}

double max_abs_diff(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t k = 0; k < a.size() && k < b.size(); ++k) {
    EXPECT_EQ(a[k].shape(), b[k].shape());
    if (a[k].shape() != b[k].shape()) return INFINITY;
    for (int64_t i = 0; i < a[k].numel(); ++i)
      m = std::fmax(m, std::fabs(double(a[k].data<float>()[i]) - b[k].data<float>()[i]));
  }
  return m;
}

bool bitwise_equal(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k)
    if (a[k].dtype() != b[k].dtype() || a[k].shape() != b[k].shape() ||
        std::memcmp(a[k].raw(), b[k].raw(), a[k].nbytes()) != 0)
      return false;
  return true;
}

TEST(Determinism, OneDnnFp32AcrossRunsAndThreads) {
  const Graph g = fixture_graph();
  const Tensor x = npy_read(std::string(kNet) + "input_1x96x128.npy");
  const auto t1 = run_many(g, BackendKind::OneDnn, 1, x, 3);
  const auto t2 = run_many(g, BackendKind::OneDnn, 2, x, 3);
  double runs1 = 0, runs2 = 0;
  for (int r = 1; r < 3; ++r) {
    runs1 = std::fmax(runs1, max_abs_diff(t1[0], t1[r]));
    runs2 = std::fmax(runs2, max_abs_diff(t2[0], t2[r]));
  }
  const double threads = max_abs_diff(t1[0], t2[0]);
  std::printf("oneDNN fp32 max|diff|: runs @1 thread %.3g, runs @2 threads %.3g, 1 vs 2 threads %.3g\n", runs1, runs2,
              threads);
  EXPECT_LE(runs1, 1e-6);
  EXPECT_LE(runs2, 1e-6);
  EXPECT_LE(threads, 1e-6);
}

TEST(Determinism, Int8BitwiseAcrossRunsAndThreads) {
  const Graph fp32 = fixture_graph();
  const Graph q = int8_graph(fp32);
  int int8_nodes = 0;
  for (const Node& n : q.nodes) int8_nodes += n.quant.enabled;
  ASSERT_GT(int8_nodes, 10);
  const Tensor x = npy_read(std::string(kNet) + "input_1x64x96.npy");
  for (BackendKind kind : {BackendKind::OneDnn, BackendKind::Reference}) {
    SCOPED_TRACE(backend_kind_name(kind));
    const auto t1 = run_many(q, kind, 1, x, 2);
    const auto t2 = run_many(q, kind, 2, x, 2);
    EXPECT_TRUE(bitwise_equal(t1[0], t1[1])) << "runs @1 thread";
    EXPECT_TRUE(bitwise_equal(t2[0], t2[1])) << "runs @2 threads";
    EXPECT_TRUE(bitwise_equal(t1[0], t2[0])) << "1 vs 2 threads, max|diff| " << max_abs_diff(t1[0], t2[0]);
    std::printf("%s int8 (%d int8 nodes): bitwise identical across runs and 1/2 threads: %s\n", backend_kind_name(kind),
                int8_nodes,
                bitwise_equal(t1[0], t1[1]) && bitwise_equal(t2[0], t2[1]) && bitwise_equal(t1[0], t2[0]) ? "yes" : "no");
  }
}

}  // namespace
}  // namespace textq
