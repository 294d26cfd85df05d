// Detector dispatch: a model whose decoder is DB runs the DB decoder on
// channel 0 of its [1, C, H, W] output and PaddleOCR's rescale, with the
// model's own pre-processing. The network is a hand-built 1x1 conv whose
// output is a probability-like map of the input (the ONNX importer brings
// real DB networks).
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "common/graph_nodes.h"
#include "pipeline/detector.h"
#include "textdet/db_decoder.h"
#include "textq/error.h"

namespace textq {
namespace {

// out[c] = bias + 0.1 * blue plane (normalised), for `channels` output channels.
Model db_model(int channels, DecoderKind kind) {
  Model m;
  m.info = {"test DB net", "none", std::string(64, '0'), "fp32", "test"};
  m.preprocess = paddle_det_preprocess_defaults();
  m.preprocess.limit_side_len = 256;
  m.decoder.kind = kind;
  m.decoder.db = db_defaults(DbFlavour::Paddle);
  m.decoder.db.min_text_score = 0.5;
  Tensor w(DType::f32, {channels, 3, 1, 1}), b(DType::f32, {channels});
  for (int64_t i = 0; i < w.numel(); ++i) w.data<float>()[i] = i % 3 == 0 ? 0.1f : 0.0f;
  for (int c = 0; c < channels; ++c) b.data<float>()[c] = 0.3f;
  const int in = m.graph.add_value("input"), out = m.graph.add_value("prob");
  m.graph.input = in;
  m.graph.outputs = {out};
  m.graph.nodes = {test::conv_node("head", {in}, out, std::move(w), std::move(b), 1, 1, 0)};
  return m;
}

// A dark 400x300 image with two bright bars (text-like regions).
cv::Mat bars() {
  cv::Mat img(300, 400, CV_8UC3, cv::Scalar(0, 0, 0));
  cv::rectangle(img, cv::Point(40, 50), cv::Point(300, 90), cv::Scalar(255, 255, 255), cv::FILLED);
  cv::rectangle(img, cv::Point(100, 180), cv::Point(360, 240), cv::Scalar(255, 255, 255), cv::FILLED);
  return img;
}

TEST(DetectorDb, DispatchesToTheDbDecoderWithPaddleRescale) {
  for (int channels : {1, 3}) {
    const Model m = db_model(channels, DecoderKind::Db);
    DetectorOptions opt;
    opt.backend = BackendKind::Reference;
    opt.keep_tensors = true;
    Detector det(m, opt);
    const Detection d = det.detect(bars());
    ASSERT_EQ(d.raw_output.shape(), (Shape{1, channels, 192, 256}));  // 400x300 -> 256x192 (limit 256, multiples of 32)
    EXPECT_EQ(d.width, 400);
    EXPECT_EQ(d.height, 300);
    // The same as decoding channel 0 by hand.
    const Tensor& out = d.raw_output;
    std::vector<TextInstance> want = decode_db(out.data<float>(), 192, 256, m.decoder.db);
    PreprocessResult pre;
    pre.ori_w = 400;
    pre.ori_h = 300;
    rescale_db_instances(want, 192, 256, pre, m.decoder.db);
    ASSERT_EQ(d.instances.size(), 2u) << channels;
    ASSERT_EQ(want.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(d.instances[i].polygon, want[i].polygon);
      EXPECT_EQ(d.instances[i].score, want[i].score);
    }
    // In original-image pixels: each quad covers its bar (grown by the unclip).
    for (const TextInstance& t : d.instances) {
      double xmin = 1e9, xmax = -1, ymin = 1e9, ymax = -1;
      for (size_t k = 0; k < t.polygon.size(); k += 2) {
        xmin = std::min(xmin, t.polygon[k]), xmax = std::max(xmax, t.polygon[k]);
        ymin = std::min(ymin, t.polygon[k + 1]), ymax = std::max(ymax, t.polygon[k + 1]);
      }
      const bool first = (ymin + ymax) / 2 < 150;
      EXPECT_LE(xmin, first ? 40 : 100);
      EXPECT_GE(xmax, first ? 300 : 360);
      EXPECT_LE(ymin, first ? 50 : 180);
      EXPECT_GE(ymax, first ? 90 : 240);
      EXPECT_LE(xmax - xmin, 260 + 2 * 50);  // bars are 260 wide; the unclip adds area * 1.5 / perimeter a side
    }
  }
}

TEST(DetectorDb, TextSnakeDecoderRefusesAOneChannelOutput) {
  const Model m = db_model(1, DecoderKind::TextSnake);
  DetectorOptions opt;
  opt.backend = BackendKind::Reference;
  Detector det(m, opt);
  try {
    det.detect(bars());
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::UnsupportedModel);
    EXPECT_NE(std::string(e.what()).find("[1, 5, H, W] TextSnake"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace textq
