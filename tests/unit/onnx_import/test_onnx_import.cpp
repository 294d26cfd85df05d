// The ONNX importer on small models built in memory: translation and
// simplifications (checked by running the imported graph against the same
// arithmetic done op by op with the reference kernels), constant folding, and
// refusals (one line naming the node / tensor and the rule, the right kind).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "importers/onnx/onnx_import.h"
#include "onnx_builder.h"
#include "ops/ops_ref.h"
#include "runtime/executor.h"
#include "textq/error.h"

namespace textq::test {
namespace {

Graph import(const OnnxBuilder& b, OnnxImportInfo* info = nullptr) {
  const std::string s = b.bytes();
  return import_onnx_bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size(), "t.onnx", info);
}

std::vector<float> seq(size_t n, float a, float step) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = a + step * static_cast<float>(i % 7) - 0.01f * static_cast<float>(i);
  return v;
}

Tensor tensor(Shape s, const std::vector<float>& v) {
  Tensor t(DType::f32, std::move(s));
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

Tensor random_input(Shape s, unsigned seed) {
  Tensor t(DType::f32, std::move(s));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-3.f, 3.f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

float max_abs_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(shape_str(a.shape()), shape_str(b.shape()));
  float m = 0.f;
  for (int64_t i = 0; i < a.numel() && a.shape() == b.shape(); ++i)
    m = std::max(m, std::fabs(a.data<float>()[i] - b.data<float>()[i]));
  return m;
}

std::vector<Tensor> run(const Graph& g, const Tensor& x, BackendKind kind = BackendKind::Reference) {
  ExecOptions o;
  o.threads = 2;
  return make_executor(g, kind, o)->run(x);
}

// Conv -> BatchNormalization -> Relu becomes one Conv with Relu; the result
// equals the three steps done separately.
TEST(OnnxImport, ConvBatchNormReluFoldIntoOneConv) {
  OnnxBuilder b;
  const std::vector<float> w = seq(5 * 3 * 3 * 3, -0.4f, 0.13f), bias = seq(5, 0.1f, 0.2f);
  const std::vector<float> gamma = seq(5, 0.5f, 0.3f), beta = seq(5, -0.2f, 0.1f), mean = seq(5, 0.05f, 0.02f),
                           var = seq(5, 0.6f, 0.25f);
  b.init("w", {5, 3, 3, 3}, w);
  b.init("b", {5}, bias);
  b.init("g", {5}, gamma), b.init("be", {5}, beta), b.init("m", {5}, mean), b.init("v", {5}, var);
  auto& c = b.node("Conv", {"x", "w", "b"}, {"c"}, "conv");
  OnnxBuilder::attr_ints(c, "pads", {1, 0, 1, 2});
  OnnxBuilder::attr_ints(c, "strides", {2, 1});
  OnnxBuilder::attr_ints(c, "kernel_shape", {3, 3});
  auto& bn = b.node("BatchNormalization", {"c", "g", "be", "m", "v"}, {"n"}, "bn");
  OnnxBuilder::attr_float(bn, "epsilon", 1e-3f);
  b.node("Relu", {"n"}, {"y"}, "relu");
  b.output("y");
  OnnxImportInfo info;
  const Graph g = import(b, &info);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, OpKind::Conv);
  EXPECT_EQ(g.nodes[0].activation, Activation::Relu);
  EXPECT_EQ(g.nodes[0].name, "conv");
  EXPECT_EQ(info.opset, 11);
  const Tensor x = random_input({2, 3, 9, 7}, 1);
  Window2d win;
  win.kernel_h = win.kernel_w = 3, win.stride_h = 2, win.pad_top = 1, win.pad_left = 0, win.pad_bottom = 1, win.pad_right = 2;
  const Tensor conv = conv2d_ref(x, tensor({5, 3, 3, 3}, w), tensor({5}, bias), win, nullptr, Activation::None);
  Tensor scale(DType::f32, {5}), shift(DType::f32, {5});
  for (int i = 0; i < 5; ++i) {
    scale.data<float>()[i] = gamma[static_cast<size_t>(i)] / std::sqrt(var[static_cast<size_t>(i)] + 1e-3f);
    shift.data<float>()[i] = beta[static_cast<size_t>(i)] - mean[static_cast<size_t>(i)] * scale.data<float>()[i];
  }
  const Tensor want = relu_ref(affine_ref(conv, scale, shift));
  EXPECT_LE(max_abs_diff(run(g, x)[0], want), 5e-5f);  // folding reorders the f32 rounding (|want| up to ~10)
  EXPECT_LE(max_abs_diff(run(g, x, BackendKind::OneDnn)[0], want), 1e-4f);
}

// The hardswish pattern x * Clip(x + 3, 0, 6) / 6 and the SE block
// GlobalAveragePool -> Conv -> Relu -> Conv -> HardSigmoid -> Mul.
TEST(OnnxImport, HardSwishPatternAndSqueezeExcitation) {
  OnnxBuilder b(11, {1, 4, -1, -1});
  b.init("three", {}, {3.f}), b.init("zero", {}, {0.f}), b.init("six", {}, {6.f});
  b.node("Add", {"x", "three"}, {"t"});
  b.node("Clip", {"t", "zero", "six"}, {"cl"});
  b.node("Mul", {"x", "cl"}, {"m"});
  b.node("Div", {"m", "six"}, {"hs"});
  b.node("GlobalAveragePool", {"hs"}, {"gap"});
  b.init("w1", {2, 4, 1, 1}, seq(8, -0.5f, 0.3f)), b.init("b1", {2}, {0.1f, -0.2f});
  b.init("w2", {4, 2, 1, 1}, seq(8, -0.7f, 0.4f)), b.init("b2", {4}, {0.f, 0.3f, -0.3f, 0.5f});
  b.node("Conv", {"gap", "w1", "b1"}, {"s1"});
  b.node("Relu", {"s1"}, {"s2"});
  b.node("Conv", {"s2", "w2", "b2"}, {"s3"});
  auto& hsig = b.node("HardSigmoid", {"s3"}, {"gate"});
  OnnxBuilder::attr_float(hsig, "alpha", 0.2f);
  b.node("Mul", {"gate", "hs"}, {"y"});  // gate first: the importer puts the broadcast operand second
  b.output("y");
  const Graph g = import(b);
  std::vector<OpKind> ops;
  for (const Node& n : g.nodes) ops.push_back(n.op);
  const std::vector<OpKind> want_ops = {OpKind::HardSwish, OpKind::GlobalAveragePool, OpKind::Conv, OpKind::Conv,
                                        OpKind::HardSigmoid, OpKind::Mul};
  EXPECT_EQ(ops, want_ops);
  const Tensor x = random_input({1, 4, 5, 6}, 2);
  const Tensor hs = hard_swish_ref(x);
  Window2d one;
  Tensor s = conv2d_ref(global_average_pool_ref(hs), tensor({2, 4, 1, 1}, seq(8, -0.5f, 0.3f)), tensor({2}, {0.1f, -0.2f}),
                        one, nullptr, Activation::Relu);
  s = conv2d_ref(s, tensor({4, 2, 1, 1}, seq(8, -0.7f, 0.4f)), tensor({4}, {0.f, 0.3f, -0.3f, 0.5f}), one, nullptr,
                 Activation::None);
  const Tensor want = mul_ref(hs, hard_sigmoid_ref(s, 0.2f, 0.5f));
  EXPECT_LE(max_abs_diff(run(g, x)[0], want), 1e-5f);
  EXPECT_LE(max_abs_diff(run(g, x, BackendKind::OneDnn)[0], want), 1e-4f);
}

// Constant Shape/Gather/Concat/Unsqueeze/Cast chains fold into Resize scales;
// Identity disappears; a constant Mul/Add pair after a deconv folds into it.
TEST(OnnxImport, ConstantChainsFoldIntoResizeScalesAndDeconvBias) {
  OnnxBuilder b(11, {1, 2, -1, -1});
  b.init("shape_src", {2, 3, 4}, std::vector<float>(24, 0.f));
  b.node("Shape", {"shape_src"}, {"sh"});                   // [2, 3, 4]
  b.init_i64("idx", {}, {0});
  b.node("Gather", {"sh", "idx"}, {"two_i"});                // 2
  b.node("Unsqueeze", {"two_i"}, {"two_v"});
  OnnxBuilder::attr_ints(b.model().mutable_graph()->mutable_node(2)[0], "axes", {0});
  auto& cast = b.node("Cast", {"two_v"}, {"two_f"});
  OnnxBuilder::attr_int(cast, "to", onnx::TensorProto::FLOAT);
  b.init("ones", {2}, {1.f, 1.f});
  auto& cat = b.node("Concat", {"ones", "two_f", "two_f"}, {"scales"});
  OnnxBuilder::attr_int(cat, "axis", 0);
  b.init("roi", {0}, {});
  b.node("Identity", {"x"}, {"xi"});
  auto& rs = b.node("Resize", {"xi", "roi", "scales"}, {"r"}, "resize");
  OnnxBuilder::attr_string(rs, "mode", "nearest");
  OnnxBuilder::attr_string(rs, "coordinate_transformation_mode", "asymmetric");
  OnnxBuilder::attr_string(rs, "nearest_mode", "floor");
  b.init("dw", {2, 3, 2, 2}, seq(24, -0.3f, 0.1f));
  auto& dc = b.node("ConvTranspose", {"r", "dw"}, {"d"}, "deconv");
  OnnxBuilder::attr_ints(dc, "strides", {2, 2});
  b.init("k", {1, 3, 1, 1}, {2.f, -1.f, 0.5f});
  b.node("Mul", {"d", "k"}, {"dm"});
  b.init("c", {1}, {0.25f});
  b.node("Add", {"c", "dm"}, {"y"});
  b.output("y");
  const Graph g = import(b);
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].op, OpKind::Resize);
  EXPECT_EQ(g.nodes[0].attrs.scale_h, 2.f);
  EXPECT_EQ(g.nodes[0].attrs.coord_mode, CoordMode::Asymmetric);
  EXPECT_EQ(g.nodes[1].op, OpKind::ConvTranspose);
  const Tensor x = random_input({1, 2, 3, 5}, 3);
  OpAttrs a;
  a.scale_h = a.scale_w = 2.f, a.coord_mode = CoordMode::Asymmetric, a.nearest_round = NearestRound::Floor;
  Window2d w = Window2d::square(2, 2, 0);
  Tensor want = conv_transpose2d_ref(resize_ref(x, a), tensor({2, 3, 2, 2}, seq(24, -0.3f, 0.1f)), Tensor(), w, nullptr,
                                     Activation::None);
  want = affine_ref(want, tensor({3}, {2.f, -1.f, 0.5f}), tensor({3}, {0.25f, 0.25f, 0.25f}));
  EXPECT_LE(max_abs_diff(run(g, x)[0], want), 1e-5f);
  EXPECT_LE(max_abs_diff(run(g, x, BackendKind::OneDnn)[0], want), 1e-4f);
}

// An Affine between two ops folds into a following unpadded conv, not into a padded one.
TEST(OnnxImport, AffineFoldsIntoUnpaddedReadersOnly) {
  for (int pad : {0, 1}) {
    OnnxBuilder b(13, {1, 3, -1, -1});
    b.node("Sigmoid", {"x"}, {"s"});
    b.init("a", {1}, {1.5f}), b.init("sh", {1, 3, 1, 1}, {0.5f, -1.f, 2.f});
    b.node("Mul", {"s", "a"}, {"m"});
    b.node("Sub", {"m", "sh"}, {"t"});
    b.init("w", {4, 3, 3, 3}, seq(108, -0.2f, 0.07f));
    auto& c = b.node("Conv", {"t", "w"}, {"y"});
    OnnxBuilder::attr_ints(c, "pads", {pad, pad, pad, pad});
    b.output("y");
    const Graph g = import(b);
    EXPECT_EQ(g.nodes.size(), pad == 0 ? 2u : 3u) << "pad " << pad;
    const Tensor x = random_input({1, 3, 6, 7}, 4);
    const Tensor t = affine_ref(sigmoid_ref(x), tensor({3}, {1.5f, 1.5f, 1.5f}), tensor({3}, {-0.5f, 1.f, -2.f}));
    const Tensor want = conv2d_ref(t, tensor({4, 3, 3, 3}, seq(108, -0.2f, 0.07f)), Tensor(), Window2d::square(3, 1, pad),
                                   nullptr, Activation::None);
    EXPECT_LE(max_abs_diff(run(g, x)[0], want), 2e-5f) << "pad " << pad;
  }
}

void expect_refused(const OnnxBuilder& b, ErrorKind kind, const std::vector<std::string>& parts) {
  try {
    import(b);
    ADD_FAILURE() << "imported, expected a refusal mentioning " << parts.at(0);
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(kind)) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    for (const std::string& p : parts) EXPECT_NE(m.find(p), std::string::npos) << "missing `" << p << "` in: " << m;
  }
}

TEST(OnnxImport, UnknownOpIsRefusedWithItsTypeNodeAndOpset) {
  OnnxBuilder b(12);
  b.node("LSTM", {"x"}, {"y"}, "rnn_7");
  b.output("y");
  expect_refused(b, ErrorKind::UnsupportedModel, {"t.onnx", "rnn_7", "LSTM", "opset 12", "not supported"});
}

TEST(OnnxImport, HostileFilesAreRefusedNamingTheRule) {
  {  // missing initializer
    OnnxBuilder b;
    b.node("Conv", {"x", "nowhere"}, {"y"}, "c1");
    b.output("y");
    expect_refused(b, ErrorKind::InvalidFile, {"c1", "nowhere", "missing"});
  }
  {  // cycle
    OnnxBuilder b;
    b.node("Relu", {"b"}, {"a"}, "r1");
    b.node("Relu", {"a"}, {"b"}, "r2");
    b.output("b");
    expect_refused(b, ErrorKind::InvalidFile, {"cycle"});
  }
  {  // raw_data length disagrees with dims
    OnnxBuilder b;
    onnx::TensorProto& t = b.init("w", {4, 3, 1, 1}, {});
    t.set_raw_data(std::string(40, '\0'));
    b.node("Conv", {"x", "w"}, {"y"});
    b.output("y");
    expect_refused(b, ErrorKind::InvalidFile, {"initializer `w`", "raw_data has 40 bytes", "need 48"});
  }
  {  // negative dimension
    OnnxBuilder b;
    b.init("w", {4, -3, 1, 1}, {});
    b.node("Conv", {"x", "w"}, {"y"});
    b.output("y");
    expect_refused(b, ErrorKind::InvalidFile, {"initializer `w`", "negative"});
  }
  {  // huge dimensions
    OnnxBuilder b;
    b.init("w", {1 << 20, 1 << 20, 1 << 20, 1}, {});
    b.node("Conv", {"x", "w"}, {"y"});
    b.output("y");
    expect_refused(b, ErrorKind::InvalidFile, {"initializer `w`", "2^27"});
  }
  {  // external data
    OnnxBuilder b;
    onnx::TensorProto& t = b.init("w", {4, 3, 1, 1}, {});
    t.set_data_location(onnx::TensorProto::EXTERNAL);
    auto* e = t.add_external_data();
    e->set_key("location"), e->set_value("../../etc/passwd");
    b.node("Conv", {"x", "w"}, {"y"});
    b.output("y");
    expect_refused(b, ErrorKind::UnsupportedModel, {"initializer `w`", "external data"});
  }
  {  // a huge window attribute
    OnnxBuilder b;
    b.init("w", {4, 3, 1, 1}, std::vector<float>(12, 0.1f));
    auto& c = b.node("Conv", {"x", "w"}, {"y"}, "cbig");
    OnnxBuilder::attr_ints(c, "strides", {1, 1000000000});
    b.output("y");
    expect_refused(b, ErrorKind::InvalidFile, {"cbig", "strides", "outside"});
  }
  {  // negative pad
    OnnxBuilder b;
    b.init("w", {4, 3, 1, 1}, std::vector<float>(12, 0.1f));
    auto& c = b.node("Conv", {"x", "w"}, {"y"}, "cneg");
    OnnxBuilder::attr_ints(c, "pads", {0, -2, 0, 0});
    b.output("y");
    expect_refused(b, ErrorKind::InvalidFile, {"cneg", "pad -2"});
  }
  {  // an output produced twice
    OnnxBuilder b;
    b.node("Relu", {"x"}, {"y"}, "a1");
    b.node("Sigmoid", {"x"}, {"y"}, "a2");
    b.output("y");
    expect_refused(b, ErrorKind::InvalidFile, {"a2", "already produced", "a1"});
  }
}

TEST(OnnxImport, TruncatedAndEmptyFilesAreRefused) {
  OnnxBuilder b;
  b.init("w", {4, 3, 3, 3}, std::vector<float>(108, 0.5f));
  b.node("Conv", {"x", "w"}, {"y"});
  b.output("y");
  const std::string s = b.bytes();
  for (size_t cut : {size_t(0), size_t(1), s.size() / 2, s.size() - 1}) {
    try {
      const Graph g = import_onnx_bytes(reinterpret_cast<const uint8_t*>(s.data()), cut, "cut.onnx");
      ADD_FAILURE() << "a file cut at " << cut << " of " << s.size() << " bytes was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::InvalidFile)) << e.what();
      EXPECT_NE(std::string(e.what()).find("cut.onnx"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace textq::test
