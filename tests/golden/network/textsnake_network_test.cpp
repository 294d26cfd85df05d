// TextSnake graph builder + both backends (reference and oneDNN) vs PyTorch (scripts/textsnake_torch.py)
// on the small checkpoints of tests/data/network (made by
// scripts/make_net_fixtures.py; see the README there). Tolerance on the raw
// head output: max abs <= 1e-3 and mean abs <= 1e-5.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "backends/reference/reference_executor.h"
#include "runtime/executor.h"
#include "core/npy.h"
#include "importers/pytorch/state_dict.h"
#include "importers/textsnake/textsnake_builder.h"
#include "textq/error.h"

namespace textq {
namespace {

const std::string kDir = "tests/data/network/";

struct ErrorStats {
  double max_abs = 0, mean_abs = 0;
};

ErrorStats compare(const Tensor& got, const Tensor& want) {
  EXPECT_EQ(shape_str(got.shape()), shape_str(want.shape()));
  ErrorStats s;
  if (got.shape() != want.shape()) {
    s.max_abs = s.mean_abs = INFINITY;
    return s;
  }
  double sum = 0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    const double e = std::abs(double(got.data<float>()[i]) - want.data<float>()[i]);
    if (!(e <= s.max_abs)) s.max_abs = e;  // also catches NaN
    sum += e;
  }
  s.mean_abs = sum / got.numel();
  return s;
}

struct Fixture {
  const char* name;
  ResNetStyle style;
  int depth, width, neck_out;
  const char* head_prefix;
  std::vector<const char*> sizes;
};

const Fixture kFixtures[] = {
    {"r50w4_caffe_0x", ResNetStyle::Caffe, 50, 4, 4, "bbox_head", {"1x64x96", "1x96x128", "1x32x192"}},
    {"r18w4_caffe_1x", ResNetStyle::Caffe, 18, 4, 4, "det_head", {"2x32x64", "1x64x96"}},
    {"r50w2_pytorch_0x", ResNetStyle::Pytorch, 50, 2, 4, "bbox_head", {"1x64x96"}},
};

TEST(TextSnakeNetwork, MatchesPyTorch) {
  for (const Fixture& f : kFixtures) {
    const StateDict sd = load_pth(kDir + f.name + ".pth");
    TextSnakeBuildOptions opt;
    opt.style = f.style;
    opt.mmocr_version = std::string(f.head_prefix) == "det_head" ? 1 : 0;
    ArchInfo arch;
    const Graph g = build_textsnake_graph(sd, opt, &arch);
    EXPECT_EQ(arch.depth, f.depth) << f.name;
    EXPECT_EQ(arch.base_width, f.width) << f.name;
    EXPECT_EQ(arch.neck_out_channels, f.neck_out) << f.name;
    EXPECT_EQ(arch.head_prefix, f.head_prefix) << f.name;
    EXPECT_TRUE(arch.head_prefix_as_expected) << f.name;
    EXPECT_GT(arch.num_ignored, 0) << f.name << ": num_batches_tracked entries should be skipped";
    auto ref = make_executor(g, BackendKind::Reference, ExecOptions{});
    auto fast = make_executor(g, BackendKind::OneDnn, ExecOptions{});
    for (const char* size : f.sizes) {
      const Tensor x = npy_read(kDir + "input_" + size + ".npy");
      const Tensor want = npy_read(kDir + f.name + "_out_" + size + ".npy");
      const std::vector<Tensor> out_ref = ref->run(x);
      const std::vector<Tensor> out_fast = fast->run(x);
      ASSERT_EQ(out_ref.size(), 1u);
      ASSERT_EQ(out_fast.size(), 1u);
      const ErrorStats pairs[3] = {compare(out_ref[0], want), compare(out_fast[0], want), compare(out_fast[0], out_ref[0])};
      const char* labels[3] = {"reference vs PyTorch", "oneDNN vs PyTorch", "oneDNN vs reference"};
      for (int k = 0; k < 3; ++k) {
        std::printf("  %-18s %-9s %-22s max abs %.3g  mean abs %.3g\n", f.name, size, labels[k], pairs[k].max_abs,
                    pairs[k].mean_abs);
        EXPECT_LE(pairs[k].max_abs, 1e-3) << f.name << " " << size << " " << labels[k];
        EXPECT_LE(pairs[k].mean_abs, 1e-5) << f.name << " " << size << " " << labels[k];
      }
    }
  }
}

// The fixtures must be able to tell the two ResNet styles apart.
TEST(TextSnakeNetwork, WrongStyleIsDetectedByTheFixture) {
  const StateDict sd = load_pth(kDir + "r50w2_pytorch_0x.pth");
  TextSnakeBuildOptions opt;
  opt.style = ResNetStyle::Caffe;  // wrong on purpose
  const Graph g = build_textsnake_graph(sd, opt);
  const std::vector<Tensor> out = make_reference_executor(g, ExecOptions{})->run(npy_read(kDir + "input_1x64x96.npy"));
  const ErrorStats e = compare(out[0], npy_read(kDir + "r50w2_pytorch_0x_out_1x64x96.npy"));
  EXPECT_GT(e.max_abs, 0.05);
}

TEST(TextSnakeGraph, NodeNamesAndFusions) {
  const StateDict sd = load_pth(kDir + "r50w4_caffe_0x.pth");
  const Graph g = build_textsnake_graph(sd, TextSnakeBuildOptions{});
  auto find = [&](const std::string& n) -> const Node* {
    for (const Node& node : g.nodes)
      if (node.name == n) return &node;
    return nullptr;
  };
  // 53 convs (BN folded) + maxpool + up4 + 4 x 3 neck convs + 3 concats + head.
  EXPECT_EQ(g.nodes.size(), 53u + 1 + 1 + 12 + 3 + 1);
  const Node* c1 = find("backbone.layer2.0.conv1");
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ(c1->window.stride_h, 2);  // caffe: stride on the 1x1
  EXPECT_EQ(find("backbone.layer2.0.conv2")->window.stride_h, 1);
  const Node* c3 = find("backbone.layer1.0.conv3");
  ASSERT_NE(c3, nullptr);
  EXPECT_TRUE(c3->has_residual());
  EXPECT_EQ(c3->activation, Activation::Relu);
  EXPECT_EQ(g.producer(c3->inputs[1])->name, "backbone.layer1.0.downsample.0");
  EXPECT_EQ(find("neck.up_block3.deconv")->activation, Activation::Relu);
  EXPECT_EQ(find("neck.up_block0.deconv")->activation, Activation::None);
  EXPECT_EQ(find("bbox_head.out_conv")->activation, Activation::None);
  EXPECT_EQ(find("neck.up4")->op, OpKind::ConvTranspose);
  EXPECT_EQ(g.infer_shapes({1, 3, 64, 96})[g.outputs[0]], (Shape{1, 5, 64, 96}));

  TextSnakeBuildOptions py;
  py.style = ResNetStyle::Pytorch;
  const Graph gp = build_textsnake_graph(sd, py);
  for (const Node& n : gp.nodes) {
    if (n.name == "backbone.layer2.0.conv2") {
      EXPECT_EQ(n.window.stride_h, 2);
    }
  }
}

// A 1.x-named checkpoint is accepted with either option and reported as found.
TEST(TextSnakeGraph, HeadPrefixIsReported) {
  const StateDict sd = load_pth(kDir + "r18w4_caffe_1x.pth");
  TextSnakeBuildOptions opt;
  opt.mmocr_version = 0;  // expects bbox_head, file has det_head
  ArchInfo arch;
  const Graph g = build_textsnake_graph(sd, opt, &arch);
  EXPECT_EQ(arch.head_prefix, "det_head");
  EXPECT_EQ(arch.mmocr_version_found, 1);
  EXPECT_FALSE(arch.head_prefix_as_expected);
  EXPECT_FALSE(arch.bottleneck);
  EXPECT_EQ(g.nodes.back().name, "det_head.out_conv");
}

// Sizes that are not multiples of 32 make the 0.x concat fail clearly
// (1.x's lateral bilinear resize is not part of the graph).
TEST(TextSnakeGraph, NonMultipleOf32InputFailsAtConcat) {
  const StateDict sd = load_pth(kDir + "r18w4_caffe_1x.pth");
  const Graph g = build_textsnake_graph(sd, TextSnakeBuildOptions{});
  EXPECT_THROW(g.infer_shapes({1, 3, 48, 80}), Error);
  Tensor x(DType::f32, {1, 3, 48, 80});
  try {
    make_reference_executor(g, ExecOptions{})->run(x);
    FAIL() << "48x80 input accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("neck.concat3"), std::string::npos) << e.what();
  }
}

// ---- builder errors -------------------------------------------------------

std::string build_error(const StateDict& sd) {
  try {
    build_textsnake_graph(sd, TextSnakeBuildOptions{});
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::UnsupportedModel) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "state_dict accepted";
  return "";
}

StateDict without(const StateDict& sd, const std::string& key) {
  StateDict out;
  for (const auto& kv : sd.entries)
    if (kv.first != key) out.entries.push_back(kv);
  return out;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(TextSnakeBuilderErrors, MissingKey) {
  const StateDict sd = load_pth(kDir + "r50w4_caffe_0x.pth");
  const std::string m = build_error(without(sd, "backbone.layer3.2.bn2.running_var"));
  EXPECT_TRUE(has(m, "1 missing key(s): backbone.layer3.2.bn2.running_var")) << m;
}

TEST(TextSnakeBuilderErrors, WrongShapeAndUnexpectedKey) {
  StateDict sd = load_pth(kDir + "r50w4_caffe_0x.pth");
  for (auto& kv : sd.entries)
    if (kv.first == "neck.up_block2.conv3x3.weight") kv.second = Tensor(DType::f32, {16, 48, 1, 1});
  sd.entries.emplace_back("neck.extra.weight", Tensor(DType::f32, {3}));
  const std::string m = build_error(sd);
  EXPECT_TRUE(has(m, "neck.up_block2.conv3x3.weight expected f32 [8, 48, 3, 3] got f32 [16, 48, 1, 1]")) << m;
  EXPECT_TRUE(has(m, "1 unexpected key(s): neck.extra.weight")) << m;
  EXPECT_TRUE(has(m, "ResNet-50")) << m;
}

TEST(TextSnakeBuilderErrors, ManyMissingKeysAreSummarised) {
  StateDict sd = load_pth(kDir + "r50w4_caffe_0x.pth");
  StateDict cut;
  for (const auto& kv : sd.entries)
    if (kv.first.rfind("neck.up_block1.", 0) != 0 && kv.first.rfind("neck.up_block0.", 0) != 0 &&
        kv.first.rfind("backbone.layer4.2.bn", 0) != 0)
      cut.entries.push_back(kv);
  const std::string m = build_error(cut);
  EXPECT_TRUE(has(m, "missing key(s)")) << m;
  EXPECT_TRUE(has(m, "more")) << m;
  EXPECT_LT(m.size(), 1500u) << m;
}

TEST(TextSnakeBuilderErrors, OtherModels) {
  StateDict dbnet;  // DBNet r18: backbone + FPNC neck + DBHead
  for (const char* k : {"backbone.conv1.weight", "neck.lateral_convs.0.conv.weight", "bbox_head.binarize.0.weight"})
    dbnet.entries.emplace_back(k, Tensor(DType::f32, {4, 3, 1, 1}));
  std::string m = build_error(dbnet);
  EXPECT_TRUE(has(m, "not a TextSnake checkpoint: expected keys like backbone.conv1.weight, neck.up4.weight, "
                     "bbox_head.out_conv.weight")) << m;
  EXPECT_TRUE(has(m, "neck.lateral_convs.0.conv.weight")) << m;

  StateDict classifier;  // torchvision-style resnet
  for (const char* k : {"conv1.weight", "bn1.weight", "fc.weight", "fc.bias"})
    classifier.entries.emplace_back(k, Tensor(DType::f32, {2}));
  m = build_error(classifier);
  EXPECT_TRUE(has(m, "not a TextSnake checkpoint")) << m;
  EXPECT_TRUE(has(m, "fc.(2)")) << m;
  EXPECT_TRUE(has(build_error(StateDict{}), "found 0 tensors"));
}

TEST(TextSnakeBuilderErrors, UnknownDepth) {
  const StateDict sd = load_pth(kDir + "r18w4_caffe_1x.pth");
  const std::string m = build_error(without(without(sd, "backbone.layer2.1.conv1.weight"), "backbone.layer2.1.conv2.weight"));
  EXPECT_TRUE(has(m, "blocks per stage (2, 1, 2, 2)")) << m;
}

}  // namespace
}  // namespace textq
