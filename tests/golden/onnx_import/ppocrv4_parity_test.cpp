// PaddleOCR PP-OCRv4 det (tests/data/models/ppocrv4_det.onnx) imported by
// `textq convert`, run by both backends, against an independent runtime:
// scripts/onnx_torch_reference.py (the ONNX graph interpreted node by node
// with torch.nn.functional) on the 18 photos of tests/data/photos, PaddleOCR
// pre-processing at long side <= 640 (tests/data/onnx/ppocrv4/manifest.json;
// goldens keep every 4th pixel of the sigmoid map). Tolerance: max abs
// <= 1e-4 on every kept pixel, full-map mean within 1e-5. The oneDNN backend
// runs every photo; the (slow, plain-loop) reference backend every 6th one
// here and all of them in the `slow` variant (TEXTQ_ONNX_ALL_REFERENCE=1).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/npy.h"
#include "core/sha256.h"
#include "importers/onnx/onnx_import.h"
#include "runtime/executor.h"

namespace textq {
namespace {

const std::string kModel = "tests/data/models/ppocrv4_det.onnx";
const std::string kGoldens = "tests/data/onnx/ppocrv4/";

// The script's input: resized uint8 BGR, then (x / 255 - mean) / std in f32, NCHW.
Tensor paddle_input(const nlohmann::json& e, const nlohmann::json& manifest) {
  const cv::Mat img = cv::imread(e["photo"].get<std::string>(), cv::IMREAD_COLOR);
  EXPECT_FALSE(img.empty()) << e["photo"];
  const int h = e["height"], w = e["width"];
  cv::Mat small;
  cv::resize(img, small, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
  EXPECT_TRUE(small.isContinuous());
  EXPECT_EQ(sha256_hex(small.data, small.total() * small.elemSize()), e["input_sha256"].get<std::string>())
      << e["photo"] << ": the resized input differs from the one the golden was made from";
  Tensor x(DType::f32, {1, 3, h, w});
  float* p = x.data<float>();
  for (int c = 0; c < 3; ++c) {
    const float mean = manifest["mean"][c].get<float>(), std = manifest["std"][c].get<float>();
    for (int y = 0; y < h; ++y)
      for (int xx = 0; xx < w; ++xx)
        p[(static_cast<int64_t>(c) * h + y) * w + xx] = (static_cast<float>(small.at<cv::Vec3b>(y, xx)[c]) / 255.f - mean) / std;
  }
  return x;
}

TEST(OnnxPpocrv4, BothBackendsMatchTheTorchInterpreterOnEveryPhoto) {
  const Graph graph = import_onnx(kModel);
  std::ifstream f(kGoldens + "manifest.json");
  ASSERT_TRUE(f) << "missing " << kGoldens << "manifest.json";
  const nlohmann::json manifest = nlohmann::json::parse(f);
  const int stride = manifest["stride"];
  ASSERT_EQ(manifest["photos"].size(), 18u);
  ExecOptions opts;
  opts.threads = 2;
  auto onednn = make_executor(graph, BackendKind::OneDnn, opts);
  auto reference = make_executor(graph, BackendKind::Reference, opts);
  double worst[2] = {0, 0};
  const bool all_reference = std::getenv("TEXTQ_ONNX_ALL_REFERENCE") != nullptr;
  int index = 0;
  for (const nlohmann::json& e : manifest["photos"]) {
    const bool run_reference = all_reference || index++ % 6 == 0;
    const Tensor x = paddle_input(e, manifest);
    const Tensor golden = npy_read(kGoldens + e["golden"].get<std::string>());
    for (int b = run_reference ? 0 : 1; b < 2; ++b) {
      const Tensor y = (b == 0 ? reference : onednn)->run(x).at(0);
      ASSERT_EQ(y.dim(2), x.dim(2));
      ASSERT_EQ(y.dim(3), x.dim(3));
      double max_abs = 0, sum = 0;
      const float* yp = y.data<float>();
      for (int64_t i = 0; i < y.numel(); ++i) sum += yp[i];
      const int64_t gh = golden.dim(2), gw = golden.dim(3);
      ASSERT_EQ(gh, (y.dim(2) + stride - 1) / stride);
      for (int64_t r = 0; r < gh; ++r)
        for (int64_t c = 0; c < gw; ++c) {
          const double d = std::fabs(double(yp[r * stride * y.dim(3) + c * stride]) - golden.data<float>()[r * gw + c]);
          if (!(d <= max_abs)) max_abs = d;
        }
      const double mean_err = std::fabs(sum / static_cast<double>(y.numel()) - e["output_mean"].get<double>());
      EXPECT_LE(max_abs, 1e-4) << e["photo"] << (b == 0 ? " reference" : " onednn");
      EXPECT_LE(mean_err, 1e-5) << e["photo"] << (b == 0 ? " reference" : " onednn");
      worst[b] = std::max(worst[b], max_abs);
      std::printf("%-50s %dx%d %-9s max abs %.3g, mean err %.3g\n", e["photo"].get<std::string>().c_str(),
                  static_cast<int>(y.dim(2)), static_cast<int>(y.dim(3)), b == 0 ? "reference" : "onednn", max_abs, mean_err);
    }
  }
  std::printf("worst max abs: reference %.3g (%s photos), onednn %.3g (18 photos)\n", worst[0], all_reference ? "18" : "3",
              worst[1]);
}

// The miniature detector of scripts/make_onnx_fixtures.py (every folded op
// family, batch 2, odd sizes) against the same interpreter.
TEST(OnnxTinyDet, BothBackendsMatchTheTorchInterpreter) {
  const std::string dir = "tests/data/onnx/small/";
  OnnxImportInfo info;
  const Graph graph = import_onnx(dir + "tiny_det.onnx", &info);
  EXPECT_EQ(info.fusions.size(), 3u);  // Relu x2, hardswish, BatchNormalization folds
  EXPECT_EQ(graph.nodes.size(), 11u);
  const Tensor x = npy_read(dir + "tiny_det_input.npy");
  const Tensor want = npy_read(dir + "tiny_det_output.npy");
  ExecOptions opts;
  opts.threads = 2;
  for (BackendKind kind : {BackendKind::Reference, BackendKind::OneDnn}) {
    const Tensor y = make_executor(graph, kind, opts)->run(x).at(0);
    ASSERT_EQ(shape_str(y.shape()), shape_str(want.shape()));
    double max_abs = 0;
    for (int64_t i = 0; i < y.numel(); ++i) max_abs = std::max(max_abs, std::fabs(double(y.data<float>()[i]) - want.data<float>()[i]));
    std::printf("tiny_det %s: max abs %.3g\n", backend_kind_name(kind), max_abs);
    EXPECT_LE(max_abs, 1e-5);
  }
}

}  // namespace
}  // namespace textq
