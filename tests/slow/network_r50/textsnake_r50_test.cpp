// Full-size TextSnake (ResNet-50 width 64, caffe, FPN_UNet 32, bbox_head = the
// MMOCR architecture, random weights) vs PyTorch. The checkpoint (~146 MB) is
// made at test time by scripts/make_net_fixtures.py --r50-full into a temp
// folder; sizes 256x384 and 736x1184 (the padded input of a 480x300 image,
// valid region 736x1178); then the committed demo checkpoint at 736x1280.
// Tolerance: max abs <= 1e-3, mean abs <= 1e-5.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/executor.h"
#include "core/npy.h"
#include "importers/pytorch/state_dict.h"
#include "importers/textsnake/textsnake_builder.h"

namespace textq {
namespace {

struct Errors {
  double max_abs = 0, mean_abs = 0, max_ref = 0;
};

// |got - want| over all elements (NaN counts as the largest error).
Errors errors(const Tensor& got, const Tensor& want) {
  Errors r;
  double sum = 0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    const double e = std::abs(double(got.data<float>()[i]) - want.data<float>()[i]);
    if (!(e <= r.max_abs)) r.max_abs = e;
    sum += e;
    r.max_ref = std::max(r.max_ref, std::abs(double(want.data<float>()[i])));
  }
  r.mean_abs = sum / got.numel();
  return r;
}

TEST(TextSnakeR50, MatchesPyTorchAtTwoSizes) {
  std::string tmpl = ::testing::TempDir() + "/textq_r50_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::string dir = tmpl;
  const std::string cmd = "/usr/bin/python3 " + std::string(TEXTQ_SOURCE_DIR) +
                          "/scripts/make_net_fixtures.py --r50-full " + dir + " > " + dir + "/make.log 2>&1";
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "failed: " << cmd;
  std::printf("  PyTorch fixture: %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());

  ArchInfo arch;
  const Graph g = build_textsnake_graph(load_pth(dir + "/r50.pth"), TextSnakeBuildOptions{}, &arch);
  EXPECT_EQ(arch.depth, 50);
  EXPECT_EQ(arch.base_width, 64);
  EXPECT_EQ(arch.num_tensors_used, 293);
  EXPECT_EQ(arch.num_ignored, 53);
  for (BackendKind kind : {BackendKind::Reference, BackendKind::OneDnn}) {
    auto exec = make_executor(g, kind, ExecOptions{});
    for (const char* size : {"256x384", "736x1184"}) {
      const Tensor x = npy_read(dir + "/input_" + size + ".npy");
      const Tensor want = npy_read(dir + "/out_" + size + ".npy");
      t0 = std::chrono::steady_clock::now();
      const Tensor got = exec->run(x)[0];
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      ASSERT_EQ(shape_str(got.shape()), shape_str(want.shape()));
      const Errors e = errors(got, want);
      std::printf("  R50 %-9s %-9s %.1f s (first run)  max abs %.3g  mean abs %.3g  (|ref| max %.2f)\n", size,
                  backend_kind_name(kind), secs, e.max_abs, e.mean_abs, e.max_ref);
      EXPECT_LE(e.max_abs, 1e-3) << size << " " << backend_kind_name(kind);
      EXPECT_LE(e.mean_abs, 1e-5) << size << " " << backend_kind_name(kind);
    }
  }
  // The demo checkpoint (demo/, channels 8..128) at 736x1280: its 3x3 convs
  // run Winograd on oneDNN too (channel tails padded to 16).
  const Graph demo = build_textsnake_graph(load_pth(std::string(TEXTQ_SOURCE_DIR) + "/demo/textsnake_demo.pth"),
                                           TextSnakeBuildOptions{}, &arch);
  const Tensor x = npy_read(dir + "/demo_input_736x1280.npy");
  const Tensor want = npy_read(dir + "/demo_out_736x1280.npy");
  for (BackendKind kind : {BackendKind::Reference, BackendKind::OneDnn}) {
    const Tensor got = make_executor(demo, kind, ExecOptions{})->run(x)[0];
    ASSERT_EQ(shape_str(got.shape()), shape_str(want.shape()));
    const Errors e = errors(got, want);
    std::printf("  demo 736x1280 %-9s max abs %.3g  mean abs %.3g  (|ref| max %.2f)\n", backend_kind_name(kind),
                e.max_abs, e.mean_abs, e.max_ref);
    EXPECT_LE(e.max_abs, 1e-3) << "demo " << backend_kind_name(kind);
    EXPECT_LE(e.mean_abs, 1e-5) << "demo " << backend_kind_name(kind);
  }
  std::system(("rm -rf '" + dir + "'").c_str());
}

}  // namespace
}  // namespace textq
