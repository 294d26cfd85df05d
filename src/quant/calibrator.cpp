#include "quant/calibrator.h"

#include <cmath>
#include <limits>
#include <string>

#include "quant/scale_groups.h"
#include "textq/error.h"

namespace textq::quant {
namespace {

struct Range {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  bool seen = false;
  bool nonfinite = false;
  void add(const Tensor& t) {
    const float* x = t.data<float>();
    double lo = min, hi = max;
    bool bad = false;
    for (int64_t i = 0; i < t.numel(); ++i) {
      const double v = x[i];
      if (!std::isfinite(v)) {
        bad = true;
        continue;
      }
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
    min = lo;
    max = hi;
    seen = true;
    nonfinite = nonfinite || bad;
  }
};

const Tensor& require_f32(const Tensor& t, const Node* node) {
  if (t.empty() || t.dtype() != DType::f32)
    throw Error(ErrorKind::Internal, std::string("calibration: ") + (node ? "node " + node->name : std::string("input")) +
                                         " produced a non-f32 tensor; calibrate on an FP32 graph");
  return t;
}

// Runs every input once, calling on_value(value_id, tensor) for the graph input and each node output.
void run_pass(Executor& exec, const Graph& graph, const CalibInputs& inputs, const char* stage, const ProgressFn& progress,
              const std::function<void(int, const Tensor&)>& on_value) {
  NodeObserver obs = [&](const Node& node, const Tensor& out) { on_value(node.output, require_f32(out, &node)); };
  for (size_t i = 0; i < inputs.count; ++i) {
    const Tensor input = with_error_context("calibration input " + std::to_string(i), [&] { return inputs.get(i); });
    on_value(graph.input, require_f32(input, nullptr));
    exec.run(input, &obs);
    if (progress) progress(stage, i + 1, inputs.count);
  }
}

}  // namespace

std::string format_calibration_table(const CalibrationTable& t) {
  std::string s = std::string("# textq calibration table, method ") + calib_method_name(t.method) + ", " +
                  std::to_string(t.num_images) + " images\n# value group type min max absmax(group) threshold scale\n";
  char line[512];
  for (const ValueCalib& v : t.values) {
    std::snprintf(line, sizeof line, "%s %d %s %.6g %.6g %.6g %.6g %.6g\n", v.name.c_str(), v.group, dtype_name(v.type),
                  v.min, v.max, v.abs_max, v.threshold, static_cast<double>(v.scale));
    s += line;
  }
  return s;
}

CalibrationTable calibrate(const Graph& graph, const CalibInputs& inputs, const CalibOptions& options,
                           const ProgressFn& progress) {
  if (inputs.count == 0 || !inputs.get)
    throw Error(ErrorKind::InvalidArgument, "calibration needs at least one input image");
  for (const Node& n : graph.nodes)
    if (n.quant.enabled)
      throw Error(ErrorKind::InvalidArgument, "node " + n.name + " is already INT8: calibrate the FP32 model");
  const ScaleGroups groups = build_scale_groups(graph);
  ExecOptions eo;
  eo.threads = options.threads;
  std::unique_ptr<Executor> exec = make_executor(graph, options.backend, eo);

  const int nv = graph.num_values();
  std::vector<Range> ranges(static_cast<size_t>(nv));
  run_pass(*exec, graph, inputs, "calibrate: ranges", progress,
           [&](int v, const Tensor& t) { ranges[v].add(t); });

  // Group abs max over the group's source values.
  const int ng = groups.num_groups();
  std::vector<double> group_abs(static_cast<size_t>(ng), 0.0);
  std::vector<bool> group_bad(static_cast<size_t>(ng), false);
  for (int gi = 0; gi < ng; ++gi)
    for (int v : groups.sources[gi]) {
      const Range& r = ranges[v];
      if (!r.seen) continue;
      group_bad[gi] = group_bad[gi] || r.nonfinite;
      if (r.max >= r.min) group_abs[gi] = std::fmax(group_abs[gi], std::fmax(std::fabs(r.min), std::fabs(r.max)));
    }

  std::vector<double> threshold(static_cast<size_t>(ng), 0.0);
  if (method_needs_histogram(options.method)) {
    std::vector<AbsHistogram> hists(static_cast<size_t>(ng));
    std::vector<std::vector<int>> feeds(static_cast<size_t>(nv));  // value -> groups whose statistics it is in
    for (int gi = 0; gi < ng; ++gi) {
      if (group_abs[gi] > 0.0 && std::isfinite(group_abs[gi])) hists[gi] = AbsHistogram(group_abs[gi], options.num_bins);
      for (int v : groups.sources[gi]) feeds[v].push_back(gi);
    }
    run_pass(*exec, graph, inputs, "calibrate: histograms", progress, [&](int v, const Tensor& t) {
      for (int gi : feeds[v])
        if (hists[gi].num_bins() > 0) hists[gi].add(t.data<float>(), t.numel());
    });
    for (int gi = 0; gi < ng; ++gi) {
      if (hists[gi].num_bins() == 0) continue;
      const bool u8 = groups.group_nonneg[gi];
      switch (options.method) {
        case CalibMethod::Percentile: threshold[gi] = threshold_percentile(hists[gi], options.percentile); break;
        case CalibMethod::Kl: threshold[gi] = threshold_kl(hists[gi], u8 ? 256 : 128); break;
        case CalibMethod::Mse: threshold[gi] = threshold_mse(hists[gi], u8 ? 255 : 127); break;
        case CalibMethod::MinMax: break;
      }
    }
  } else {
    for (int gi = 0; gi < ng; ++gi) threshold[gi] = threshold_minmax(group_abs[gi]);
  }

  CalibrationTable table;
  table.method = options.method;
  table.num_images = static_cast<int>(inputs.count);
  table.values.resize(static_cast<size_t>(nv));
  for (int v = 0; v < nv; ++v) {
    ValueCalib& c = table.values[v];
    const int gi = groups.group_of[v];
    c.name = graph.value_names[v];
    c.group = gi;
    c.observed = ranges[v].seen;
    c.min = ranges[v].seen && ranges[v].max >= ranges[v].min ? ranges[v].min : 0.0;
    c.max = ranges[v].seen && ranges[v].max >= ranges[v].min ? ranges[v].max : 0.0;
    c.abs_max = group_bad[gi] ? std::numeric_limits<double>::quiet_NaN() : group_abs[gi];
    c.threshold = group_bad[gi] ? std::numeric_limits<double>::quiet_NaN() : threshold[gi];
    c.type = groups.group_nonneg[gi] ? DType::u8 : DType::i8;
    c.scale = static_cast<float>(c.threshold / (c.type == DType::u8 ? 255.0 : 127.0));
  }
  return table;
}

}  // namespace textq::quant
