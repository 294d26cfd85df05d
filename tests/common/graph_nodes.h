// One-call constructors for the graph nodes that tests and seed generators
// build by hand. Each sets only the fields it names; everything else keeps the
// Node/Window2d defaults (stride 1, dilation 1, one group, no quantization), so
// a graph built here is field for field the one built by assigning members.
// Value ids come from the caller (Graph::add_value), unlike GraphMaker
// (tests/unit/onednn/graph_maker.h), which names values itself.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"

namespace textq::test {

inline Node make_node(std::string name, OpKind op, std::vector<int> inputs, int output) {
  Node n;
  n.name = std::move(name);
  n.op = op;
  n.inputs = std::move(inputs);
  n.output = output;
  return n;
}

// inputs: {src} or {src, residual}; bias may be an empty Tensor (no bias).
// Pass tensors drawn from one RNG as named variables: the evaluation order of
// function arguments is unspecified.
inline Node conv_node(std::string name, std::vector<int> inputs, int output, Tensor weight, Tensor bias, int kernel,
                      int stride, int pad, Activation activation = Activation::None) {
  Node n = make_node(std::move(name), OpKind::Conv, std::move(inputs), output);
  n.window = Window2d::square(kernel, stride, pad);
  n.activation = activation;
  n.weight = std::move(weight);
  n.bias = std::move(bias);
  return n;
}

// Weight in PyTorch's ConvTranspose layout [IC, OC, KH, KW]; output padding
// (none here) is set on the returned node's window when a test needs it.
inline Node conv_transpose_node(std::string name, std::vector<int> inputs, int output, Tensor weight, Tensor bias,
                                int kernel, int stride, int pad, Activation activation = Activation::None) {
  Node n = conv_node(std::move(name), std::move(inputs), output, std::move(weight), std::move(bias), kernel, stride,
                     pad, activation);
  n.op = OpKind::ConvTranspose;
  return n;
}

inline Node max_pool_node(std::string name, int input, int output, int kernel, int stride, int pad = 0) {
  Node n = make_node(std::move(name), OpKind::MaxPool, {input}, output);
  n.window = Window2d::square(kernel, stride, pad);
  return n;
}

inline Node concat_node(std::string name, std::vector<int> inputs, int output) {
  return make_node(std::move(name), OpKind::Concat, std::move(inputs), output);
}

inline Node add_node(std::string name, int a, int b, int output, Activation activation = Activation::None) {
  Node n = make_node(std::move(name), OpKind::Add, {a, b}, output);
  n.activation = activation;
  return n;
}

inline Node relu_node(std::string name, int input, int output) {
  return make_node(std::move(name), OpKind::Relu, {input}, output);
}

// INT8 parameters of a conv whose output stays f32 (dst_type's default).
inline QuantParams int8_quant(float src_scale, DType src_type, std::vector<float> weight_scales) {
  QuantParams q;
  q.enabled = true;
  q.src_scale = src_scale;
  q.src_type = src_type;
  q.weight_scales = std::move(weight_scales);
  return q;
}

}  // namespace textq::test
