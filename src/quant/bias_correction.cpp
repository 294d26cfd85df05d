#include "quant/bias_correction.h"

#include <cmath>

#include "runtime/executor.h"
#include "textq/error.h"

namespace textq::quant {
namespace {

bool is_conv(const Node& n) { return n.op == OpKind::Conv || n.op == OpKind::ConvTranspose; }

// Thrown by the observer once the wanted value has been seen: the rest of the
// graph is not needed.
struct ValueCaptured {};

// A graph of the one conv `n` reading its input as the graph input, without
// bias, residual and activation: its output is the conv's linear part only,
// so the difference of two such graphs is the quantization error of the
// weights and of the input's rounding, whatever the bias.
Graph one_conv_graph(const Node& n) {
  Graph g;
  g.add_value("x");
  g.add_value("y");
  Node c = n;
  c.inputs = {0};
  c.output = 1;
  c.bias = Tensor();
  c.activation = Activation::None;
  if (c.quant.enabled) {
    c.quant.dst_type = DType::f32;  // the f32 y, before any requantization
    c.quant.dst_scale = 0.f;
    c.quant.residual_scale = 0.f;
  }
  g.nodes.push_back(std::move(c));
  g.outputs = {1};
  g.verify();
  return g;
}

void check_same_nodes(const Graph& a, const Graph& b) {
  if (a.nodes.size() != b.nodes.size())
    throw Error(ErrorKind::InvalidArgument, "bias correction: the FP32 and INT8 graphs have different node counts");
  for (size_t i = 0; i < a.nodes.size(); ++i)
    if (a.nodes[i].name != b.nodes[i].name || a.nodes[i].op != b.nodes[i].op)
      throw Error(ErrorKind::InvalidArgument, "bias correction: node " + std::to_string(i) + " differs: " +
                                                  a.nodes[i].name + " vs " + b.nodes[i].name);
}

}  // namespace

std::vector<double> layer_mean_error(const Graph& fp32_graph, const Graph& int8_graph, size_t node_index,
                                     const CalibInputs& inputs, const BiasCorrectionOptions& options) {
  check_same_nodes(fp32_graph, int8_graph);
  if (inputs.count == 0) throw Error(ErrorKind::InvalidArgument, "bias correction: no calibration inputs");
  const Node& q = int8_graph.nodes.at(node_index);
  if (!is_conv(q) || !q.quant.enabled)
    throw Error(ErrorKind::InvalidArgument, "bias correction: node " + q.name + " is not an INT8 Conv/ConvTranspose");
  const int src = q.inputs[0];
  ExecOptions eo;
  eo.threads = options.threads;
  auto graph_exec = make_executor(int8_graph, options.backend, eo);
  auto fp32_exec = make_executor(one_conv_graph(fp32_graph.nodes[node_index]), options.backend, eo);
  auto int8_exec = make_executor(one_conv_graph(q), options.backend, eo);

  const int64_t oc = q.out_channels();
  std::vector<double> sum(static_cast<size_t>(oc), 0.0);
  int64_t positions = 0;  // per channel, over every input
  for (size_t k = 0; k < inputs.count; ++k) {
    const Tensor in = with_error_context("bias correction input " + std::to_string(k), [&] { return inputs.get(k); });
    Tensor x;
    if (src == int8_graph.input) {
      x = in;
    } else {
      const NodeObserver capture = [&](const Node& n, const Tensor& out) {
        if (n.output != src) return;
        x = out.clone();
        throw ValueCaptured{};
      };
      try {
        graph_exec->run(in, &capture);
      } catch (const ValueCaptured&) {
      }
      if (x.empty()) throw Error(ErrorKind::Internal, "bias correction: the input of " + q.name + " was not observed");
    }
    const Tensor yq = int8_exec->run(x).at(0);
    const Tensor yf = fp32_exec->run(x).at(0);
    if (yq.shape() != yf.shape() || yq.rank() != 4 || yq.dim(1) != oc)
      throw Error(ErrorKind::Internal, "bias correction: output shapes of " + q.name + " differ");
    const int64_t n = yq.dim(0), plane = yq.dim(2) * yq.dim(3);
    const float* a = yq.data<float>();
    const float* b = yf.data<float>();
    for (int64_t i = 0; i < n; ++i)
      for (int64_t c = 0; c < oc; ++c) {
        double s = 0;
        const int64_t base = (i * oc + c) * plane;
        for (int64_t j = 0; j < plane; ++j) s += static_cast<double>(a[base + j]) - static_cast<double>(b[base + j]);
        sum[static_cast<size_t>(c)] += s;
      }
    positions += n * plane;
  }
  for (double& s : sum) s /= static_cast<double>(positions);
  return sum;
}

Graph correct_biases(const Graph& fp32_graph, const Graph& int8_graph, const CalibInputs& inputs,
                     const BiasCorrectionOptions& options, const ProgressFn& progress,
                     std::vector<LayerBiasShift>* shifts) {
  check_same_nodes(fp32_graph, int8_graph);
  if (inputs.count == 0) throw Error(ErrorKind::InvalidArgument, "bias correction: no calibration inputs");
  std::vector<size_t> layers;
  for (size_t i = 0; i < int8_graph.nodes.size(); ++i)
    if (is_conv(int8_graph.nodes[i]) && int8_graph.nodes[i].quant.enabled) layers.push_back(i);

  Graph g = int8_graph;  // node tensors are shared handles: each corrected bias is a new tensor
  for (size_t li = 0; li < layers.size(); ++li) {
    const size_t i = layers[li];
    const std::vector<double> err = layer_mean_error(fp32_graph, g, i, inputs, options);
    Node& n = g.nodes[i];
    const int64_t oc = n.out_channels();
    Tensor bias(DType::f32, {oc});
    float* b = bias.data<float>();
    LayerBiasShift shift;
    shift.name = n.name;
    for (int64_t c = 0; c < oc; ++c) {
      const float old = n.bias.empty() ? 0.f : n.bias.data<float>()[c];
      const double e = err[static_cast<size_t>(c)];
      if (!std::isfinite(e))
        throw Error(ErrorKind::InvalidArgument, "bias correction: node " + n.name + " channel " + std::to_string(c) +
                                                    " has a non-finite mean error (non-finite activations?)");
      b[c] = static_cast<float>(static_cast<double>(old) - e);
      shift.mean_abs_shift += std::fabs(e) / static_cast<double>(oc);
      shift.max_abs_shift = std::max(shift.max_abs_shift, std::fabs(e));
      shift.mean_abs_bias += std::fabs(static_cast<double>(old)) / static_cast<double>(oc);
    }
    n.bias = bias;
    if (shifts) shifts->push_back(shift);
    if (progress) progress("bias correction", li + 1, layers.size());
  }
  g.verify();
  return g;
}

}  // namespace textq::quant
