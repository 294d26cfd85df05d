// The real trained detector in INT8: PP-OCRv4 det (tests/data/models) imported
// from ONNX, calibrated on 3 ICDAR2015 photos, quantized with the default
// options (every Conv/ConvTranspose INT8, depthwise and the SE convs included;
// HardSwish, Affine, the SE gate Mul, Resize and Sigmoid stay FP32 between
// them, docs/quantization.md §7), run on 2 held-out photos. Checks:
//  - oneDNN INT8 tracks the reference backend's INT8 graph: output cosine >=
//    0.97, every INT8 node on a non-reference kernel. Not bit-exact here,
//    unlike TextSnake's conv-to-conv graph: the FP32 ops between INT8 convs
//    (Affine, HardSwish, the SE Mul) round differently in oneDNN's jit (fused
//    multiply-add) and the reference, so an activation within ~1e-6 of a
//    rounding boundary requantizes to a neighbouring integer and the flips
//    spread through 60 layers (printed). How far they spread depends on where
//    the calibrated scales put the boundaries: on img623 the cosine measured
//    0.9976, 0.9877 and 0.9831 for three calibrations that differ only in the
//    FP32 kernels that observed the ranges (direct, Winograd, reference), so
//    the bound sits below that spread; each op's oneDNN lowering is held to the
//    reference within FP32 tolerance, op by op, in tests/unit/onednn;
//  - INT8 vs FP32, on both backends: the binary text mask at PaddleOCR's 0.3
//    threshold agrees on >= 98% of pixels (the sigmoid map's SQNR is printed).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "backends/onednn/onednn_executor.h"
#include "importers/onnx/onnx_import.h"
#include "quant/calib_source.h"
#include "quant/calibrator.h"
#include "quant/quantize_graph.h"
#include "unit/onednn/int8_graph.h"

namespace textq::test {
namespace {

TEST(OneDnnInt8Ppocrv4, QuantizedRealDetectorTracksReferenceAndFp32) {
  const Graph fp32 = import_onnx("tests/data/models/ppocrv4_det.onnx");
  PreprocessParams pp;  // ImageNet mean/std in 0..255 units, as PaddleOCR's (channel order aside)
  pp.scale_long = 320;
  pp.scale_short = 320;
  const std::string dir = "tests/data/photos/icdar2015/";
  const quant::CalibInputs calib =
      quant::image_inputs({dir + "img_1.jpg", dir + "img_2.jpg", dir + "img_3.jpg"}, pp);
  const quant::CalibInputs held_out = quant::image_inputs({dir + "img_7.jpg", "tests/data/photos/totaltext/img623.jpg"}, pp);
  quant::CalibOptions co;
  co.backend = BackendKind::OneDnn;
  co.threads = 2;
  co.method = quant::CalibMethod::Mse;
  const Graph given = quant::quantize_graph(fp32, quant::calibrate(fp32, calib, co), quant::QuantOptions{});
  const Graph g = with_weights_exact_on_this_cpu(given);
  int int8_nodes = 0, depthwise = 0;
  for (const Node& n : g.nodes) {
    int8_nodes += n.quant.enabled;
    depthwise += n.quant.enabled && n.window.groups > 1;
  }
  EXPECT_EQ(int8_nodes, 64);
  EXPECT_GE(depthwise, 10);
  ExecOptions opts;
  opts.threads = 2;
  opts.verbose = true;
  auto exec = make_onednn_executor(g, opts);
  auto fp32_exec = make_onednn_executor(fp32, opts);
  for (size_t k = 0; k < held_out.count; ++k) {
    const Tensor x = held_out.get(k);
    std::vector<Tensor> got, ref;
    const std::vector<NodeDiff> diffs = compare_nodes(g, x, *exec, &got, &ref);
    const IntegerMismatch mm = integer_mismatch(diffs);
    const int64_t off = mm.off_by_one, worse = mm.worse, total = mm.total;
    const double cosine = test::cosine(ref[0], got[0]);
    const Tensor f = fp32_exec->run(x).at(0);
    std::printf("held-out %zu %s: oneDNN vs reference INT8: output cosine %.7f, integers off by one %lld, more %lld of %lld\n",
                k, shape_str(x.shape()).c_str(), cosine, static_cast<long long>(off), static_cast<long long>(worse),
                static_cast<long long>(total));
    EXPECT_GE(cosine, 0.97);
    if (!onednn_int8_sums_exact()) {  // what oneDNN's pre-VNNI kernels do to the weights as quantized
      auto exec_given = make_onednn_executor(given, opts);
      std::vector<Tensor> got_given, ref_given;
      compare_nodes(given, x, *exec_given, &got_given, &ref_given);
      std::printf("held-out %zu, weights as quantized, before VNNI: oneDNN vs reference INT8 output cosine %.7f\n", k,
                  test::cosine(ref_given[0], got_given[0]));
    }
    for (int b = 0; b < 2; ++b) {
      const Tensor& q = b == 0 ? ref[0] : got[0];
      double sig = 0, noise = 0;
      int64_t agree = 0;
      for (int64_t i = 0; i < f.numel(); ++i) {
        const double u = f.data<float>()[i], v = q.data<float>()[i];
        sig += u * u, noise += (u - v) * (u - v);
        agree += (u > 0.3) == (v > 0.3);
      }
      const double agreement = double(agree) / static_cast<double>(f.numel());
      std::printf("  %-9s INT8 vs FP32 sigmoid map: SQNR %.2f dB, mask(>0.3) agreement %.4f\n", b == 0 ? "reference" : "onednn",
                  10 * std::log10(sig / noise), agreement);
      EXPECT_GE(agreement, 0.98);
    }
  }
  const std::vector<NodeProfile> prof = exec->profile();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i].quant.enabled) {
      EXPECT_EQ(prof[i].impl.rfind("ref", 0), std::string::npos) << g.nodes[i].name << " runs " << prof[i].impl;
    }
  }
}

}  // namespace
}  // namespace textq::test
