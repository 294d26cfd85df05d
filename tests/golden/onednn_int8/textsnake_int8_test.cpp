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
    // FP32 calibration runs: only the table matters here. Before VNNI the
    // weights are re-rounded (with_weights_exact_on_this_cpu), so the model is
    // another one anyway: its table comes from the reference backend, which
    // does not depend on this CPU's FP32 kernels.
    co.backend = onednn_int8_sums_exact() ? BackendKind::OneDnn : BackendKind::Reference;
    co.threads = 2;
    const Graph given = quant::quantize_graph(fp32, quant::calibrate(fp32, calib, co), quant::QuantOptions{});
    const Graph g = with_weights_exact_on_this_cpu(given);
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
        EXPECT_TRUE(on_int8_kernel(prof[i].impl)) << g.nodes[i].name << " runs " << prof[i].impl;
      }
      if (!onednn_int8_sums_exact()) {  // what oneDNN's pre-VNNI kernels do to the weights as quantized
        auto exec_given = make_onednn_executor(given, opts);
        std::vector<Tensor> got_given, ref_given;
        const IntegerMismatch mg = integer_mismatch(compare_nodes(given, x, *exec_given, &got_given, &ref_given));
        std::printf("%s %s, weights as quantized, before VNNI: off by one %lld, off by more %lld of %lld; head cosine %.7f\n",
                    ckpt, in, static_cast<long long>(mg.off_by_one), static_cast<long long>(mg.worse),
                    static_cast<long long>(mg.total), test::cosine(ref_given[0], got_given[0]));
      }
    }
  }
}

}  // namespace
}  // namespace textq::test
