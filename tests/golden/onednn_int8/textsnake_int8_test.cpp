// A whole quantized TextSnake graph on the oneDNN INT8 path vs the reference
// backend's INT8 graph (docs/quantization.md §3 "per graph"): the fixture
// checkpoints of tests/data/network (random seeded weights, ResNet width 4:
// channel counts 4..128, nothing a multiple of 16 at the stem), calibrated
// with src/quant on the tests/data/textdet images in a small resize box,
// quantized with the default options, run on held-out fixture inputs.
// Prints per-node integer mismatch counts and the kernels; the raw head
// output must have cosine >= 0.999 with the reference's.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "backends/onednn/onednn_executor.h"
#include "core/npy.h"
#include "importers/pytorch/state_dict.h"
#include "importers/textsnake/textsnake_builder.h"
#include "quant/calib_source.h"
#include "quant/calibrator.h"
#include "quant/quantize_graph.h"
#include "unit/onednn/int8_graph.h"

namespace textq::test {
namespace {

Graph load_fixture(const std::string& name) {
  TextSnakeBuildOptions opt;
  opt.style = ResNetStyle::Caffe;
  return build_textsnake_graph(load_pth("tests/data/network/" + name + ".pth"), opt);
}

TEST(OneDnnInt8TextSnake, QuantizedFixtureGraphTracksTheReferenceInt8Graph) {
  PreprocessParams pp;
  pp.scale_long = 256;
  pp.scale_short = 160;
  const quant::CalibInputs calib = quant::image_inputs(quant::list_images("tests/data/textdet"), pp);
  ASSERT_EQ(calib.count, 4u);
  for (const char* ckpt : {"r50w4_caffe_0x", "r18w4_caffe_1x"}) {
    const Graph fp32 = load_fixture(ckpt);
    quant::CalibOptions co;
    co.backend = BackendKind::OneDnn;  // FP32 calibration runs: only the table matters here
    co.threads = 2;
    const Graph g = quant::quantize_graph(fp32, quant::calibrate(fp32, calib, co), quant::QuantOptions{});
    ExecOptions opts;
    opts.threads = 2;
    opts.verbose = true;
    auto exec = make_onednn_executor(g, opts);
    for (const char* in : {"input_1x64x96.npy", "input_1x96x128.npy", "input_1x32x192.npy"}) {
      const Tensor x = npy_read(std::string("tests/data/network/") + in);
      std::vector<Tensor> got, ref;
      const std::vector<NodeDiff> diffs = compare_nodes(g, x, *exec, &got, &ref);
      std::printf("%s %s (node, kernel, mismatches vs the reference INT8 graph):\n", ckpt, in);
      print_diffs(diffs, *exec);
      const IntegerMismatch mm = integer_mismatch(diffs);
      const int64_t off = mm.off_by_one, worse = mm.worse, total = mm.total;
      const double cosine = test::cosine(ref[0], got[0]);
      std::printf("%s %s: integer elements %lld, off by one %lld, off by more %lld; head output cosine %.7f\n", ckpt, in,
                  static_cast<long long>(total), static_cast<long long>(off), static_cast<long long>(worse), cosine);
      EXPECT_GE(cosine, 0.999) << ckpt << " " << in;
      EXPECT_LE(off + worse, total / 100) << ckpt << " " << in << ": more than 1% of the integers differ";
      const std::vector<NodeProfile> prof = exec->profile();
      for (size_t i = 0; i < g.nodes.size(); ++i) {
        if (!g.nodes[i].quant.enabled) continue;
        EXPECT_EQ(prof[i].impl.rfind("ref", 0), std::string::npos) << g.nodes[i].name << " runs " << prof[i].impl;
        EXPECT_NE(prof[i].impl.find("vnni"), std::string::npos) << g.nodes[i].name << " runs " << prof[i].impl;
      }
    }
  }
}

}  // namespace
}  // namespace textq::test
