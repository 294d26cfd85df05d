// Writes the model_file seeds (tests/fuzz/corpus/model_file/): two tiny textq
// models, fp32 and int8, small enough for the fuzzer's -max_len. Every other
// seed is a copy of a file under tests/data/ (see docs/fuzzing.md).
// Usage: make_fuzz_seeds OUT_DIR
#include <cstdio>
#include <string>

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
  Node conv;
  conv.name = "conv";
  conv.op = OpKind::Conv;
  conv.inputs = {0};
  conv.output = 1;
  conv.window.kernel_h = conv.window.kernel_w = 3;
  conv.window.pad_top = conv.window.pad_left = conv.window.pad_bottom = conv.window.pad_right = 1;
  conv.activation = Activation::Relu;
  conv.bias = ramp({3}, 0.5f);
  if (int8) {
    conv.weight = Tensor(DType::i8, {3, 2, 3, 3});
    for (int64_t i = 0; i < conv.weight.numel(); ++i) conv.weight.data<int8_t>()[i] = static_cast<int8_t>(i * 13 - 100);
    conv.quant.enabled = true;
    conv.quant.src_scale = 0.02f;
    conv.quant.src_type = DType::i8;
    conv.quant.weight_scales = {0.01f, 0.02f, 0.03f};
  } else {
    conv.weight = ramp({3, 2, 3, 3}, 0.25f);
  }
  Node pool;
  pool.name = "pool";
  pool.op = OpKind::MaxPool;
  pool.inputs = {1};
  pool.output = 2;
  pool.window.kernel_h = pool.window.kernel_w = 2;
  pool.window.stride_h = pool.window.stride_w = 2;
  Node add;
  add.name = "sum";
  add.op = OpKind::Add;
  add.inputs = {2, 2};
  add.output = 3;
  g.nodes = {conv, pool, add};
  g.outputs = {3};
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
  } catch (const textq::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}
