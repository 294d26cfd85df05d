#include "quant/diagnostics.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "textq/error.h"

namespace textq::quant {
namespace {

struct Sums {
  double rr = 0, qq = 0, rq = 0, ee = 0;
  int64_t n = 0;
};

std::string type_scale(DType t, float scale) {
  if (t == DType::f32) return "f32";
  char b[64];
  std::snprintf(b, sizeof b, "%s %.4g", dtype_name(t), static_cast<double>(scale));
  return b;
}

const float* f32_data(const Tensor& t, const Node& n) {
  if (t.empty() || t.dtype() != DType::f32)
    throw Error(ErrorKind::Internal, "diagnostics: node " + n.name + " output is not f32 (the executor must dequantize)");
  return t.data<float>();
}

}  // namespace

int64_t sample_step(int64_t numel, int64_t max_samples) {
  return max_samples <= 0 || numel <= max_samples ? 1 : (numel + max_samples - 1) / max_samples;
}

double sqnr_db(double signal, double noise) {
  return noise > 0 ? 10.0 * std::log10(signal / noise) : std::numeric_limits<double>::infinity();
}

void ChannelEnergy::add(const float* ref_samples, const float* got, int64_t numel, int64_t channels, int64_t plane,
                        int64_t step) {
  if (channels <= 0 || plane <= 0 || step <= 0) throw Error(ErrorKind::Internal, "ChannelEnergy: bad geometry");
  if (signal.empty()) signal.assign(static_cast<size_t>(channels), 0.0), noise.assign(static_cast<size_t>(channels), 0.0);
  if (signal.size() != static_cast<size_t>(channels)) throw Error(ErrorKind::Internal, "ChannelEnergy: channel count changed");
  int64_t m = 0;
  for (int64_t j = 0; j < numel; j += step, ++m) {
    const size_t c = static_cast<size_t>((j / plane) % channels);
    const double a = ref_samples[m], b = got[j];
    signal[c] += a * a;
    noise[c] += (a - b) * (a - b);
  }
}

double ChannelEnergy::sqnr_db(size_t channel) const { return quant::sqnr_db(signal.at(channel), noise.at(channel)); }

double ChannelEnergy::balanced_sqnr_db() const {
  double nsr = 0;
  for (size_t c = 0; c < signal.size(); ++c) {
    if (noise[c] == 0) continue;
    if (!(signal[c] > 0)) return -std::numeric_limits<double>::infinity();  // error on a zero channel
    nsr += noise[c] / signal[c];
  }
  return nsr > 0 ? 10.0 * std::log10(static_cast<double>(signal.size()) / nsr) : std::numeric_limits<double>::infinity();
}

std::vector<LayerDiag> compare_layers(const Graph& fp32_graph, const Graph& int8_graph, const CalibrationTable& table,
                                      const CalibInputs& inputs, const DiagOptions& options,
                                      const ProgressFn& progress) {
  const size_t nn = fp32_graph.nodes.size();
  if (int8_graph.nodes.size() != nn)
    throw Error(ErrorKind::InvalidArgument, "diagnostics: the FP32 and INT8 graphs have different node counts");
  for (size_t i = 0; i < nn; ++i)
    if (fp32_graph.nodes[i].name != int8_graph.nodes[i].name)
      throw Error(ErrorKind::InvalidArgument, "diagnostics: node " + std::to_string(i) + " differs: " +
                                                  fp32_graph.nodes[i].name + " vs " + int8_graph.nodes[i].name);
  ExecOptions eo;
  eo.threads = options.threads;
  auto fp32_exec = make_executor(fp32_graph, options.fp32_backend, eo);
  auto int8_exec = make_executor(int8_graph, options.int8_backend, eo);

  std::vector<int> index_of_value(static_cast<size_t>(fp32_graph.num_values()), -1);
  for (size_t i = 0; i < nn; ++i) index_of_value[fp32_graph.nodes[i].output] = static_cast<int>(i);
  std::vector<Sums> sums(nn);
  std::vector<ChannelEnergy> channels(nn);  // graph-output nodes
  std::vector<bool> is_output(nn, false);
  for (int v : int8_graph.outputs)
    if (index_of_value[v] >= 0) is_output[static_cast<size_t>(index_of_value[v])] = true;
  std::vector<std::vector<float>> ref(nn);
  for (size_t k = 0; k < inputs.count; ++k) {
    const Tensor input = with_error_context("diagnostics input " + std::to_string(k), [&] { return inputs.get(k); });
    NodeObserver keep = [&](const Node& n, const Tensor& out) {
      const int i = index_of_value[n.output];
      if (n.op != OpKind::Conv && n.op != OpKind::ConvTranspose) return;
      const float* x = f32_data(out, n);
      const int64_t step = sample_step(out.numel(), options.max_samples_per_node);
      std::vector<float>& r = ref[i];
      r.clear();
      for (int64_t j = 0; j < out.numel(); j += step) r.push_back(x[j]);
    };
    fp32_exec->run(input, &keep);
    NodeObserver compare = [&](const Node& n, const Tensor& out) {
      if (n.op != OpKind::Conv && n.op != OpKind::ConvTranspose) return;
      const int i = index_of_value[n.output];
      const float* x = f32_data(out, n);
      const int64_t step = sample_step(out.numel(), options.max_samples_per_node);
      const std::vector<float>& r = ref[i];
      Sums& s = sums[i];
      size_t m = 0;
      for (int64_t j = 0; j < out.numel() && m < r.size(); j += step, ++m) {
        const double a = r[m], b = x[j];
        s.rr += a * a;
        s.qq += b * b;
        s.rq += a * b;
        s.ee += (a - b) * (a - b);
        ++s.n;
      }
      if (is_output[i] && out.rank() == 4 && m == r.size())
        channels[i].add(r.data(), x, out.numel(), out.dim(1), out.dim(2) * out.dim(3), step);
    };
    int8_exec->run(input, &compare);
    if (progress) progress("diagnostics", k + 1, inputs.count);
  }

  std::vector<LayerDiag> rows;
  for (size_t i = 0; i < nn; ++i) {
    const Node& n = int8_graph.nodes[i];
    if (n.op != OpKind::Conv && n.op != OpKind::ConvTranspose) continue;
    LayerDiag d;
    d.name = n.name;
    d.op = op_kind_name(n.op);
    d.int8 = n.quant.enabled;
    d.src = n.quant.enabled ? type_scale(n.quant.src_type, n.quant.src_scale) : "f32";
    d.dst = n.quant.enabled ? type_scale(n.quant.dst_type, n.quant.dst_scale) : "f32";
    const ValueCalib& c = table.values.at(static_cast<size_t>(n.output));
    d.out_min = c.min;
    d.out_max = c.max;
    d.threshold = n.quant.enabled && n.quant.dst_type != DType::f32 ? c.threshold : 0.0;
    const Sums& s = sums[i];
    d.samples = s.n;
    d.sqnr_db = sqnr_db(s.rr, s.ee);
    d.cosine = (s.rr > 0 && s.qq > 0) ? s.rq / std::sqrt(s.rr * s.qq) : (s.rr == s.qq ? 1.0 : 0.0);
    for (size_t c = 0; c < channels[i].signal.size(); ++c) d.channel_sqnr_db.push_back(channels[i].sqnr_db(c));
    rows.push_back(d);
  }
  return rows;
}

std::string format_layer_table(const std::vector<LayerDiag>& rows) {
  size_t w = 5;
  for (const LayerDiag& r : rows) w = std::max(w, r.name.size());
  std::string s;
  char line[1024];
  std::snprintf(line, sizeof line, "%-*s  %-13s %-4s %-13s %-13s %23s %10s %8s %9s\n", static_cast<int>(w), "layer", "op", "prec",
                "src", "dst", "fp32 out range", "threshold", "SQNR dB", "cosine");
  s += line;
  for (const LayerDiag& r : rows) {
    char thr[32] = "-";
    if (r.threshold > 0) std::snprintf(thr, sizeof thr, "%.4g", r.threshold);
    std::snprintf(line, sizeof line, "%-*s  %-13s %-4s %-13s %-13s [%10.4g, %10.4g] %10s %8.2f %9.6f\n", static_cast<int>(w),
                  r.name.c_str(), r.op.c_str(), r.int8 ? "int8" : "fp32", r.src.c_str(), r.dst.c_str(), r.out_min,
                  r.out_max, thr, r.sqnr_db, r.cosine);
    s += line;
  }
  return s;
}

}  // namespace textq::quant
