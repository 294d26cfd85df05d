// Writes the model_file seeds (tests/fuzz/corpus/model_file/): three tiny
// textq models, fp32 and int8 (TextSnake decoder, MMOCR pre-processing) and
// one with PaddleOCR pre-processing and the DB decoder, small enough for the
// fuzzer's -max_len. Every other
// seed is a copy of a file under tests/data/ (see docs/fuzzing.md).
// Usage: make_fuzz_seeds OUT_DIR
#include <cstdio>
#include <string>
#include <utility>

#include "common/graph_nodes.h"
#include "formats/model.h"
#include "textq/error.h"

namespace {

textq::Tensor ramp(textq::Shape shape, float step) {
  textq::Tensor t(textq::DType::f32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = step * static_cast<float>(i % 7 - 3);
  return t;
}

// input -> 3x3 conv (2 -> 3 channels, ReLU) -> 2x2 max pool -> add with itself.
textq::Model tiny_model(bool int8) {
  using namespace textq;
  Model m;
  m.info = {"fuzz seed net", "seed.pth", std::string(64, '0'), int8 ? "int8" : "fp32", "textq fuzz seeds"};
  Graph& g = m.graph;
  for (const char* v : {"input", "conv", "pool", "sum"}) g.add_value(v);
  Tensor weight = int8 ? Tensor(DType::i8, {3, 2, 3, 3}) : ramp({3, 2, 3, 3}, 0.25f);
  if (int8)
    for (int64_t i = 0; i < weight.numel(); ++i) weight.data<int8_t>()[i] = static_cast<int8_t>(i * 13 - 100);
  Node conv = test::conv_node("conv", {0}, 1, std::move(weight), ramp({3}, 0.5f), 3, 1, 1, Activation::Relu);
  if (int8) conv.quant = test::int8_quant(0.02f, DType::i8, {0.01f, 0.02f, 0.03f});
  g.nodes = {std::move(conv), test::max_pool_node("pool", 1, 2, 2, 2), test::add_node("sum", 2, 2, 3)};
  g.outputs = {3};
  return m;
}

// The other pipeline kinds (preprocess paddle_det_resize, decoder db) on a
// 1x1 conv from the 3 input planes to one map, 0.3 + 0.1 * plane 0: a
// runnable DB model (tests/cli/pipeline_flags.sh detects with it).
textq::Model tiny_db_model() {
  using namespace textq;
  Model m;
  m.info = {"fuzz seed DB net", "seed.onnx", std::string(64, '0'), "fp32", "textq fuzz seeds"};
  m.preprocess = paddle_det_preprocess_defaults();
  m.preprocess.limit_side_len = 256;
  m.decoder.kind = DecoderKind::Db;
  m.decoder.db = db_defaults(DbFlavour::Paddle);
  m.decoder.db.min_text_score = 0.4;
  Tensor weight(DType::f32, {1, 3, 1, 1}), bias(DType::f32, {1});
  weight.data<float>()[0] = 0.1f;
  weight.data<float>()[1] = weight.data<float>()[2] = 0.0f;
  bias.data<float>()[0] = 0.3f;
  m.graph.add_value("input");
  m.graph.add_value("prob");
  m.graph.nodes = {test::conv_node("head", {0}, 1, std::move(weight), std::move(bias), 1, 1, 0)};
  m.graph.outputs = {1};
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_seeds OUT_DIR\n");
    return 1;
  }
  try {
    const std::string dir = argv[1];
    textq::save_model(tiny_model(false), dir + "/tiny_fp32.textq");
    textq::save_model(tiny_model(true), dir + "/tiny_int8.textq");
    textq::save_model(tiny_db_model(), dir + "/tiny_db_paddle.textq");
  } catch (const textq::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}
