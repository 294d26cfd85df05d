#include "backends/reference/reference_executor.h"

#include <chrono>
#include <string>
#include <vector>

#include <omp.h>

#include "ops/ops_int8_ref.h"
#include "ops/ops_ref.h"
#include "textq/error.h"

namespace textq {
namespace {

class ReferenceExecutor : public Executor {
 public:
  ReferenceExecutor(const Graph& graph, const ExecOptions& options) : graph_(graph), options_(options) {
    graph_.verify();
    // last_use_[v] = index of the last node reading value v; outputs are kept.
    last_use_.assign(graph_.num_values(), -1);
    for (size_t i = 0; i < graph_.nodes.size(); ++i)
      for (int v : graph_.nodes[i].inputs) last_use_[v] = static_cast<int>(i);
    for (int v : graph_.outputs) last_use_[v] = static_cast<int>(graph_.nodes.size());
    profile_.resize(graph_.nodes.size());
    for (size_t i = 0; i < graph_.nodes.size(); ++i) profile_[i] = {graph_.nodes[i].name, "reference", 0.0};
  }

  std::vector<Tensor> run(const Tensor& input, const NodeObserver* observer) override {
    if (input.empty() || input.dtype() != DType::f32 || input.rank() != 4)
      throw Error(ErrorKind::InvalidArgument, "reference backend: input must be a 4-D f32 NCHW tensor, got " +
                                                  (input.empty() ? std::string("nothing") : shape_str(input.shape())));
    if (options_.threads > 0) omp_set_num_threads(options_.threads);
    std::vector<Tensor> values(graph_.num_values());
    values[graph_.input] = input;
    for (size_t i = 0; i < graph_.nodes.size(); ++i) {
      const Node& node = graph_.nodes[i];
      const auto t0 = std::chrono::steady_clock::now();
      Tensor out = with_error_context("node " + node.name, [&] { return run_node(node, values); });
      profile_[i].ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      values[node.output] = out;
      if (observer && *observer) (*observer)(node, values[node.output]);
      for (int v : node.inputs)
        if (last_use_[v] == static_cast<int>(i) && v != graph_.input) values[v] = Tensor();
    }
    std::vector<Tensor> outs;
    for (int v : graph_.outputs) outs.push_back(values[v]);
    return outs;
  }

  std::vector<NodeProfile> profile() const override { return profile_; }

  std::string describe() const override {
    return "reference backend (plain loops, " + std::to_string(graph_.nodes.size()) + " nodes)";
  }

 private:
  static const Tensor& value(const std::vector<Tensor>& values, int id, const Node& node) {
    if (id < 0 || id >= static_cast<int>(values.size()) || values[id].empty())
      throw Error(ErrorKind::Internal, "reference backend: input value " + std::to_string(id) + " of node " +
                                           node.name + " is not available");
    return values[id];
  }

  Tensor run_node(const Node& node, const std::vector<Tensor>& values) const {
    switch (node.op) {
      case OpKind::Conv:
      case OpKind::ConvTranspose: {
        const Tensor& src = value(values, node.inputs.at(0), node);
        const Tensor* residual = node.has_residual() ? &value(values, node.inputs[1], node) : nullptr;
        if (node.quant.enabled) return run_int8_conv(node, src, residual);
        if (node.op == OpKind::Conv)
          return conv2d_ref(src, node.weight, node.bias, node.window, residual, node.activation);
        return conv_transpose2d_ref(src, node.weight, node.bias, node.window, residual, node.activation);
      }
      case OpKind::MaxPool:
        return max_pool2d_ref(value(values, node.inputs.at(0), node), node.window);
      case OpKind::Concat: {
        std::vector<const Tensor*> srcs;
        for (int v : node.inputs) srcs.push_back(&value(values, v, node));
        return concat_ref(srcs);
      }
      case OpKind::Add:
        return add_ref(value(values, node.inputs.at(0), node), value(values, node.inputs.at(1), node), node.activation);
      case OpKind::Relu:
        return relu_ref(value(values, node.inputs.at(0), node));
      case OpKind::Sigmoid:
        return sigmoid_ref(value(values, node.inputs.at(0), node));
      case OpKind::HardSigmoid:
        return hard_sigmoid_ref(value(values, node.inputs.at(0), node), node.attrs.alpha, node.attrs.beta);
      case OpKind::HardSwish:
        return hard_swish_ref(value(values, node.inputs.at(0), node));
      case OpKind::Clip:
        return clip_ref(value(values, node.inputs.at(0), node), node.attrs.alpha, node.attrs.beta);
      case OpKind::Mul:
        return mul_ref(value(values, node.inputs.at(0), node), value(values, node.inputs.at(1), node));
      case OpKind::Affine:
        return affine_ref(value(values, node.inputs.at(0), node), node.weight, node.bias);
      case OpKind::GlobalAveragePool:
        return global_average_pool_ref(value(values, node.inputs.at(0), node));
      case OpKind::AveragePool:
        return average_pool2d_ref(value(values, node.inputs.at(0), node), node.window, node.attrs.count_include_pad);
      case OpKind::Resize:
        return resize_ref(value(values, node.inputs.at(0), node), node.attrs);
      case OpKind::Pad:
        return pad_ref(value(values, node.inputs.at(0), node), node.window, node.attrs.alpha);
    }
    throw Error(ErrorKind::Internal, "reference backend: node " + node.name + " has an unknown op");
  }

  // INT8 node (docs/quantization.md): quantize the f32 input with the node's
  // src scale/type, run the integer kernel, and hand the next node the
  // dequantized value q * dst_scale (tensors stay f32 between nodes, so FP32
  // and INT8 nodes mix freely). When the producer already output that
  // type and scale, requantizing returns exactly its integers.
  static Tensor run_int8_conv(const Node& node, const Tensor& src, const Tensor* residual) {
    const QuantParams& q = node.quant;
    const Tensor qsrc = quantize_ref(src, q.src_scale, q.src_type);
    Int8ConvParams p;
    p.src_scale = q.src_scale;
    p.weight_scales = q.weight_scales;
    p.dst_type = q.dst_type;
    p.dst_scale = q.dst_scale;
    Tensor out = node.op == OpKind::Conv
                     ? conv2d_int8_ref(qsrc, node.weight, node.bias, node.window, residual, node.activation, p)
                     : conv_transpose2d_int8_ref(qsrc, node.weight, node.bias, node.window, residual, node.activation, p);
    return q.dst_type == DType::f32 ? out : dequantize_ref(out, q.dst_scale);
  }

  Graph graph_;
  ExecOptions options_;
  std::vector<int> last_use_;
  std::vector<NodeProfile> profile_;
};

}  // namespace

std::unique_ptr<Executor> make_reference_executor(const Graph& graph, const ExecOptions& options) {
  return std::make_unique<ReferenceExecutor>(graph, options);
}

}  // namespace textq
