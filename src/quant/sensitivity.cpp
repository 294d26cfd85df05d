#include "quant/sensitivity.h"

#include <algorithm>

#include "runtime/executor.h"
#include "textq/error.h"

namespace textq::quant {
namespace {

// Strided samples of one graph output (compare_layers' sampling).
struct OutputSamples {
  std::vector<float> values;
  int64_t numel = 0, channels = 1, plane = 1, step = 1;
};

std::vector<OutputSamples> output_samples(const std::vector<Tensor>& outputs, int64_t max_samples) {
  std::vector<OutputSamples> all;
  for (const Tensor& t : outputs) {
    if (t.dtype() != DType::f32) throw Error(ErrorKind::Internal, "sensitivity: a graph output is not f32");
    OutputSamples o;
    o.numel = t.numel();
    if (t.rank() == 4) o.channels = t.dim(1), o.plane = t.dim(2) * t.dim(3);
    else o.plane = t.numel();
    o.step = sample_step(t.numel(), max_samples);
    const float* x = t.data<float>();
    for (int64_t j = 0; j < t.numel(); j += o.step) o.values.push_back(x[j]);
    all.push_back(std::move(o));
  }
  return all;
}

}  // namespace

SensitivityResult leave_one_out_sensitivity(const Graph& fp32_graph, const CalibrationTable& table,
                                            const QuantOptions& options, const CalibInputs& inputs,
                                            const DiagOptions& diag, const ProgressFn& progress) {
  if (inputs.count == 0) throw Error(ErrorKind::InvalidArgument, "sensitivity: no input images");
  ExecOptions eo;
  eo.threads = diag.threads;

  // FP32 reference outputs and inputs, kept for the 1 + L quantized runs.
  std::vector<Tensor> in(inputs.count);
  std::vector<std::vector<OutputSamples>> ref(inputs.count);
  {
    auto exec = make_executor(fp32_graph, diag.fp32_backend, eo);
    for (size_t k = 0; k < inputs.count; ++k) {
      in[k] = with_error_context("sensitivity input " + std::to_string(k), [&] { return inputs.get(k); });
      ref[k] = output_samples(exec->run(in[k]), diag.max_samples_per_node);
    }
  }
  // Channels weighted equally, per output tensor, then over the outputs.
  auto output_sqnr = [&](const Graph& g) {
    auto exec = make_executor(g, diag.int8_backend, eo);
    std::vector<ChannelEnergy> energy(ref.empty() ? 0 : ref[0].size());
    for (size_t k = 0; k < inputs.count; ++k) {
      const std::vector<Tensor> out = exec->run(in[k]);
      if (out.size() != ref[k].size()) throw Error(ErrorKind::Internal, "sensitivity: output counts differ");
      for (size_t o = 0; o < out.size(); ++o) {
        const OutputSamples& r = ref[k][o];
        if (out[o].numel() != r.numel) throw Error(ErrorKind::Internal, "sensitivity: output sizes differ");
        energy[o].add(r.values.data(), out[o].data<float>(), r.numel, r.channels, r.plane, r.step);
      }
    }
    ChannelEnergy all;
    for (const ChannelEnergy& e : energy) {
      all.signal.insert(all.signal.end(), e.signal.begin(), e.signal.end());
      all.noise.insert(all.noise.end(), e.noise.begin(), e.noise.end());
    }
    return all.balanced_sqnr_db();
  };

  const Graph all_int8 = quantize_graph(fp32_graph, table, options);
  std::vector<std::string> candidates;
  for (const Node& n : all_int8.nodes)
    if (n.quant.enabled) candidates.push_back(n.name);
  const size_t steps = 1 + candidates.size();
  SensitivityResult r;
  r.all_int8_sqnr_db = output_sqnr(all_int8);
  if (progress) progress("sensitivity", 1, steps);
  for (size_t i = 0; i < candidates.size(); ++i) {
    QuantOptions one = options;
    one.fp32_layers.push_back(candidates[i]);
    const double s = output_sqnr(quantize_graph(fp32_graph, table, one));
    r.layers.push_back({candidates[i], s, s - r.all_int8_sqnr_db});
    if (progress) progress("sensitivity", i + 2, steps);
  }
  std::stable_sort(r.layers.begin(), r.layers.end(),
                   [](const LayerSensitivity& a, const LayerSensitivity& b) { return a.gain_db > b.gain_db; });
  return r;
}

std::vector<std::string> fallback_order(const SensitivityResult& result) {
  std::vector<std::string> names;
  for (const LayerSensitivity& l : result.layers) names.push_back(l.name);
  return names;
}

}  // namespace textq::quant
