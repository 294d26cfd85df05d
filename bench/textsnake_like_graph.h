// The TextSnake R50 + FPN_UNet + head topology (docs/textsnake_network.md,
// spec §2) with random weights, for benchmarking a backend without a
// checkpoint. Same ops, shapes and fusions as the importer's graph: BN folded
// (conv bias), residual add + ReLU fused into conv3, neck ReLUs fused.
#pragma once

#include <cmath>
#include <random>
#include <string>

#include "ir/graph.h"

namespace textq::bench {

class TextSnakeLikeGraph {
 public:
  explicit TextSnakeLikeGraph(unsigned seed = 42) : rng_(seed) {}

  Graph build() {
    g_ = Graph();
    g_.input = g_.add_value("input");
    int x = conv("backbone.conv1", g_.input, 3, 64, 7, 2, 3, true);
    x = pool("backbone.maxpool", x);
    const int planes[] = {64, 128, 256, 512}, blocks[] = {3, 4, 6, 3}, strides[] = {1, 2, 2, 2};
    int cin = 64, c[4];
    for (int s = 0; s < 4; ++s) {
      for (int b = 0; b < blocks[s]; ++b) {
        const std::string p = "backbone.layer" + std::to_string(s + 1) + "." + std::to_string(b);
        const int st = b == 0 ? strides[s] : 1, w = planes[s];
        const int shortcut = b == 0 ? conv(p + ".downsample.0", x, cin, 4 * w, 1, st, 0, false) : x;
        int y = conv(p + ".conv1", x, cin, w, 1, st, 0, true);  // caffe: stride on the 1x1
        y = conv(p + ".conv2", y, w, w, 3, 1, 1, true);
        x = conv(p + ".conv3", y, w, 4 * w, 1, 1, 0, true, shortcut);
        cin = 4 * w;
      }
      c[s] = x;
    }
    x = deconv("neck.up4", c[3], 2048, 256, true);
    x = concat("neck.cat3", x, c[2]);
    x = up_block("neck.up_block3", x, 1280, 128, true);
    x = concat("neck.cat2", x, c[1]);
    x = up_block("neck.up_block2", x, 640, 64, true);
    x = concat("neck.cat1", x, c[0]);
    x = up_block("neck.up_block1", x, 320, 32, true);
    x = up_block("neck.up_block0", x, 32, 32, false);
    x = conv("bbox_head.out_conv", x, 32, 5, 1, 1, 0, false);
    g_.outputs = {x};
    return g_;
  }

 private:
  int up_block(const std::string& p, int x, int cin, int cout, bool relu_after) {
    x = conv(p + ".conv1x1", x, cin, cin, 1, 1, 0, true);
    x = conv(p + ".conv3x3", x, cin, cout, 3, 1, 1, true);
    return deconv(p + ".deconv", x, cout, cout, relu_after);
  }
  Node make(const std::string& name, OpKind op, std::vector<int> inputs) {
    Node n;
    n.name = name;
    n.op = op;
    n.inputs = std::move(inputs);
    return n;
  }
  int add(Node n) {
    n.output = g_.add_value(n.name);
    g_.nodes.push_back(n);
    return n.output;
  }
  // He-style uniform init keeps activations O(1) (no denormals in the timing).
  Tensor random(Shape shape, int64_t fan_in) {
    Tensor t(DType::f32, std::move(shape));
    const float bound = std::sqrt(6.f / static_cast<float>(fan_in));
    std::uniform_real_distribution<float> dist(-bound, bound);
    float* d = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) d[i] = dist(rng_);
    return t;
  }
  int conv(const std::string& name, int x, int ic, int oc, int k, int s, int p, bool relu, int residual = -1) {
    Node n = make(name, OpKind::Conv, {x});
    if (residual >= 0) n.inputs.push_back(residual);
    n.window = Window2d::square(k, s, p);
    n.weight = random({oc, ic, k, k}, ic * k * k);
    n.bias = random({oc}, 1000);
    n.activation = relu ? Activation::Relu : Activation::None;
    return add(n);
  }
  int deconv(const std::string& name, int x, int ic, int oc, bool relu) {
    Node n = make(name, OpKind::ConvTranspose, {x});
    n.window = Window2d::square(4, 2, 1);
    n.weight = random({ic, oc, 4, 4}, ic * 4);
    n.bias = random({oc}, 1000);
    n.activation = relu ? Activation::Relu : Activation::None;
    return add(n);
  }
  int pool(const std::string& name, int x) {
    Node n = make(name, OpKind::MaxPool, {x});
    n.window = Window2d::square(3, 2, 1);
    return add(n);
  }
  int concat(const std::string& name, int a, int b) { return add(make(name, OpKind::Concat, {a, b})); }

  Graph g_;
  std::mt19937 rng_;
};

}  // namespace textq::bench
