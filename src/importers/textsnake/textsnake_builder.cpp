// TextSnake state_dict -> Graph. Node names are the checkpoint's module names
// (BN folded into the conv that precedes it keeps the conv's name).
#include "importers/textsnake/textsnake_builder.h"

#include <cmath>

#include "importers/textsnake/textsnake_arch.h"
#include "textq/error.h"

namespace textq {
namespace {

constexpr double kBnEps = 1e-5;  // mmdet/torch BatchNorm2d default

class GraphWriter {
 public:
  GraphWriter(const TensorIndex& index, Graph* graph) : index_(index), g_(*graph) {}

  const Tensor& tensor(const std::string& name) const { return *index_.at(name); }

  int add_node(Node node) {
    node.output = g_.add_value(node.name);
    const int out = node.output;
    g_.nodes.push_back(std::move(node));
    return out;
  }

  // Conv (no bias in the checkpoint) followed by BatchNorm `bn`, folded in double:
  //   s = gamma / sqrt(var + eps);  W' = W * s[oc];  b' = beta - mean * s.
  int conv_bn(const std::string& conv, const std::string& bn, int src, int k, int stride, int pad, int residual,
              Activation act) {
    Node n;
    n.name = conv;
    n.op = OpKind::Conv;
    n.inputs = {src};
    if (residual >= 0) n.inputs.push_back(residual);
    n.window = Window2d::square(k, stride, pad);
    n.activation = act;
    const Tensor& w = tensor(conv + ".weight");
    const float* gamma = tensor(bn + ".weight").data<float>();
    const float* beta = tensor(bn + ".bias").data<float>();
    const float* mean = tensor(bn + ".running_mean").data<float>();
    const float* var = tensor(bn + ".running_var").data<float>();
    const int64_t oc = w.dim(0), per_oc = w.numel() / oc;
    n.weight = Tensor(DType::f32, w.shape());
    n.bias = Tensor(DType::f32, {oc});
    const float* src_w = w.data<float>();
    float* dst_w = n.weight.data<float>();
    float* dst_b = n.bias.data<float>();
    for (int64_t o = 0; o < oc; ++o) {
      if (!(var[o] >= 0.f) || !std::isfinite(var[o]))
        throw Error(ErrorKind::InvalidFile, bn + ".running_var[" + std::to_string(o) + "] = " + std::to_string(var[o]) +
                                                ": a BatchNorm variance must be finite and >= 0");
      const double s = static_cast<double>(gamma[o]) / std::sqrt(static_cast<double>(var[o]) + kBnEps);
      for (int64_t i = 0; i < per_oc; ++i) dst_w[o * per_oc + i] = static_cast<float>(src_w[o * per_oc + i] * s);
      dst_b[o] = static_cast<float>(static_cast<double>(beta[o]) - static_cast<double>(mean[o]) * s);
    }
    return add_node(std::move(n));
  }

  // Conv / ConvTranspose with its own bias (neck and head); weights are shared, not copied.
  int conv_bias(OpKind op, const std::string& name, int src, int k, int stride, int pad, Activation act) {
    Node n;
    n.name = name;
    n.op = op;
    n.inputs = {src};
    n.window = Window2d::square(k, stride, pad);
    n.activation = act;
    n.weight = tensor(name + ".weight");
    n.bias = tensor(name + ".bias");
    return add_node(std::move(n));
  }

  int concat(const std::string& name, std::vector<int> srcs) {
    Node n;
    n.name = name;
    n.op = OpKind::Concat;
    n.inputs = std::move(srcs);
    return add_node(std::move(n));
  }

  int max_pool(const std::string& name, int src, int k, int stride, int pad) {
    Node n;
    n.name = name;
    n.op = OpKind::MaxPool;
    n.inputs = {src};
    n.window = Window2d::square(k, stride, pad);
    return add_node(std::move(n));
  }

 private:
  const TensorIndex& index_;
  Graph& g_;
};

// One ResNet block; returns its output value. Caffe style puts the stride on
// conv1 (1x1) of a Bottleneck, pytorch style on conv2 (3x3). BasicBlock has
// the stride on conv1 in both styles.
int resnet_block(GraphWriter& gw, const ArchInfo& a, const std::string& p, int x, int stride, bool downsample) {
  const Activation relu = Activation::Relu;
  int identity = x;
  if (a.bottleneck) {
    const int s1 = a.style == ResNetStyle::Caffe ? stride : 1;
    const int s2 = a.style == ResNetStyle::Caffe ? 1 : stride;
    const int y1 = gw.conv_bn(p + "conv1", p + "bn1", x, 1, s1, 0, -1, relu);
    const int y2 = gw.conv_bn(p + "conv2", p + "bn2", y1, 3, s2, 1, -1, relu);
    if (downsample) identity = gw.conv_bn(p + "downsample.0", p + "downsample.1", x, 1, stride, 0, -1, Activation::None);
    return gw.conv_bn(p + "conv3", p + "bn3", y2, 1, 1, 0, identity, relu);
  }
  const int y1 = gw.conv_bn(p + "conv1", p + "bn1", x, 3, stride, 1, -1, relu);
  if (downsample) identity = gw.conv_bn(p + "downsample.0", p + "downsample.1", x, 1, stride, 0, -1, Activation::None);
  return gw.conv_bn(p + "conv2", p + "bn2", y1, 3, 1, 1, identity, relu);
}

}  // namespace

Graph build_textsnake_graph(const StateDict& state_dict, const TextSnakeBuildOptions& options, ArchInfo* out) {
  const TensorIndex index = index_state_dict(state_dict);
  ArchInfo arch = detect_textsnake_arch(index, options);
  check_textsnake_tensors(index, arch, &arch);

  Graph g;
  g.input = g.add_value("input");
  GraphWriter gw(index, &g);
  const Activation relu = Activation::Relu;

  // Backbone: stem, then 4 stages; C2..C5 are the stage outputs.
  int x = gw.conv_bn("backbone.conv1", "backbone.bn1", g.input, 7, 2, 3, -1, relu);
  x = gw.max_pool("backbone.maxpool", x, 3, 2, 1);
  std::vector<int> c;  // C2, C3, C4, C5
  int64_t inplanes = arch.base_width;
  for (int s = 0; s < 4; ++s) {
    const int stride = s == 0 ? 1 : 2;
    for (int b = 0; b < arch.blocks[s]; ++b) {
      const std::string p = "backbone.layer" + std::to_string(s + 1) + "." + std::to_string(b) + ".";
      const bool downsample = b == 0 && (stride != 1 || inplanes != arch.backbone_channels[s]);
      x = resnet_block(gw, arch, p, x, b == 0 ? stride : 1, downsample);
      inplanes = arch.backbone_channels[s];
    }
    c.push_back(x);
  }

  // FPN_UNet: the F.relu after up4 and after up_block3..1 is fused into the
  // last deconv of each; up_block0 ends without ReLU. The 0.x graph has no
  // lateral resize (1.x's bilinear resize is an identity for /32 inputs).
  x = gw.conv_bias(OpKind::ConvTranspose, "neck.up4", c[3], 4, 2, 1, relu);
  for (int i = 3; i >= 0; --i) {
    const std::string p = "neck.up_block" + std::to_string(i) + ".";
    if (i >= 1) x = gw.concat("neck.concat" + std::to_string(i), {x, c[i - 1]});
    x = gw.conv_bias(OpKind::Conv, p + "conv1x1", x, 1, 1, 0, relu);
    x = gw.conv_bias(OpKind::Conv, p + "conv3x3", x, 3, 1, 1, relu);
    x = gw.conv_bias(OpKind::ConvTranspose, p + "deconv", x, 4, 2, 1, i >= 1 ? relu : Activation::None);
  }
  // Head: raw 5-channel logits/regressions, no sigmoid.
  x = gw.conv_bias(OpKind::Conv, arch.head_prefix + ".out_conv", x, 1, 1, 0, Activation::None);
  g.outputs = {x};
  g.verify();
  if (out) *out = arch;
  return g;
}

}  // namespace textq
