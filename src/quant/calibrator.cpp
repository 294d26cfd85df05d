#include "quant/calibrator.h"

#include <cmath>
#include <limits>
#include <string>

#include "quant/scale_groups.h"
#include "textq/error.h"

namespace textq::quant {
namespace {

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

void ValueRange::add(const Tensor& t) {
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

void ValueRange::merge(const ValueRange& o) {
  min = o.min < min ? o.min : min;
  max = o.max > max ? o.max : max;
  seen = seen || o.seen;
  nonfinite = nonfinite || o.nonfinite;
}

namespace {

void check_calibration_inputs(const Graph& graph, const CalibInputs& inputs) {
  if (inputs.count == 0 || !inputs.get)
    throw Error(ErrorKind::InvalidArgument, "calibration needs at least one input image");
  for (const Node& n : graph.nodes)
    if (n.quant.enabled)
      throw Error(ErrorKind::InvalidArgument, "node " + n.name + " is already INT8: calibrate the FP32 model");
}

// Group abs max over the group's source values; *bad: a source saw NaN/inf.
std::vector<double> group_abs_max(const ScaleGroups& groups, const std::vector<ValueRange>& ranges, std::vector<bool>* bad) {
  const int ng = groups.num_groups();
  std::vector<double> group_abs(static_cast<size_t>(ng), 0.0);
  bad->assign(static_cast<size_t>(ng), false);
  for (int gi = 0; gi < ng; ++gi)
    for (int v : groups.sources[gi]) {
      const ValueRange& r = ranges[v];
      if (!r.seen) continue;
      (*bad)[gi] = (*bad)[gi] || r.nonfinite;
      if (r.max >= r.min) group_abs[gi] = std::fmax(group_abs[gi], std::fmax(std::fabs(r.min), std::fabs(r.max)));
    }
  return group_abs;
}

}  // namespace

CalibStats collect_ranges(const Graph& graph, const CalibInputs& inputs, const CalibOptions& options,
                          const ProgressFn& progress) {
  check_calibration_inputs(graph, inputs);
  ExecOptions eo;
  eo.threads = options.threads;
  std::unique_ptr<Executor> exec = make_executor(graph, options.backend, eo);
  CalibStats stats;
  stats.num_images = static_cast<int64_t>(inputs.count);
  stats.ranges.resize(static_cast<size_t>(graph.num_values()));
  run_pass(*exec, graph, inputs, "calibrate: ranges", progress, [&](int v, const Tensor& t) { stats.ranges[v].add(t); });
  return stats;
}

CalibStats collect_histograms(const Graph& graph, const CalibInputs& inputs, const CalibStats& ranges,
                              const CalibOptions& options, const ProgressFn& progress) {
  check_calibration_inputs(graph, inputs);
  const int nv = graph.num_values();
  if (ranges.ranges.size() != static_cast<size_t>(nv))
    throw Error(ErrorKind::InvalidArgument, "calibration ranges of " + std::to_string(ranges.ranges.size()) +
                                                " values for a graph of " + std::to_string(nv));
  const ScaleGroups groups = build_scale_groups(graph);
  std::vector<bool> bad;
  const std::vector<double> group_abs = group_abs_max(groups, ranges.ranges, &bad);
  const int ng = groups.num_groups();
  CalibStats stats;
  stats.num_images = static_cast<int64_t>(inputs.count);
  stats.ranges = ranges.ranges;
  stats.histograms.resize(static_cast<size_t>(ng));
  std::vector<std::vector<int>> feeds(static_cast<size_t>(nv));  // value -> groups whose statistics it is in
  for (int gi = 0; gi < ng; ++gi) {
    if (group_abs[gi] > 0.0 && std::isfinite(group_abs[gi])) stats.histograms[gi] = AbsHistogram(group_abs[gi], options.num_bins);
    for (int v : groups.sources[gi]) feeds[v].push_back(gi);
  }
  ExecOptions eo;
  eo.threads = options.threads;
  std::unique_ptr<Executor> exec = make_executor(graph, options.backend, eo);
  run_pass(*exec, graph, inputs, "calibrate: histograms", progress, [&](int v, const Tensor& t) {
    for (int gi : feeds[v])
      if (stats.histograms[gi].num_bins() > 0) stats.histograms[gi].add(t.data<float>(), t.numel());
  });
  return stats;
}

CalibrationTable table_from_stats(const Graph& graph, const CalibStats& stats, const CalibOptions& options) {
  const int nv = graph.num_values();
  if (stats.ranges.size() != static_cast<size_t>(nv))
    throw Error(ErrorKind::InvalidArgument, "calibration statistics of " + std::to_string(stats.ranges.size()) +
                                                " values for a graph of " + std::to_string(nv));
  const ScaleGroups groups = build_scale_groups(graph);
  const int ng = groups.num_groups();
  std::vector<bool> group_bad;
  const std::vector<double> group_abs = group_abs_max(groups, stats.ranges, &group_bad);

  std::vector<double> threshold(static_cast<size_t>(ng), 0.0);
  if (method_needs_histogram(options.method)) {
    if (stats.histograms.size() != static_cast<size_t>(ng))
      throw Error(ErrorKind::InvalidArgument, std::string("method ") + calib_method_name(options.method) +
                                                  " needs histograms (the second calibration pass)");
    for (int gi = 0; gi < ng; ++gi) {
      const AbsHistogram& h = stats.histograms[gi];
      if (h.num_bins() == 0) continue;
      const bool u8 = groups.group_nonneg[gi];
      switch (options.method) {
        case CalibMethod::Percentile: threshold[gi] = threshold_percentile(h, options.percentile); break;
        case CalibMethod::Kl: threshold[gi] = threshold_kl(h, u8 ? 256 : 128); break;
        case CalibMethod::Mse: threshold[gi] = threshold_mse(h, u8 ? 255 : 127); break;
        case CalibMethod::MinMax: break;
      }
    }
  } else {
    for (int gi = 0; gi < ng; ++gi) threshold[gi] = threshold_minmax(group_abs[gi]);
  }

  CalibrationTable table;
  table.method = options.method;
  table.num_images = static_cast<int>(stats.num_images);
  table.values.resize(static_cast<size_t>(nv));
  for (int v = 0; v < nv; ++v) {
    ValueCalib& c = table.values[v];
    const ValueRange& r = stats.ranges[v];
    const int gi = groups.group_of[v];
    c.name = graph.value_names[v];
    c.group = gi;
    c.observed = r.seen;
    c.min = r.seen && r.max >= r.min ? r.min : 0.0;
    c.max = r.seen && r.max >= r.min ? r.max : 0.0;
    c.abs_max = group_bad[gi] ? std::numeric_limits<double>::quiet_NaN() : group_abs[gi];
    c.threshold = group_bad[gi] ? std::numeric_limits<double>::quiet_NaN() : threshold[gi];
    c.type = groups.group_nonneg[gi] ? DType::u8 : DType::i8;
    c.scale = static_cast<float>(c.threshold / (c.type == DType::u8 ? 255.0 : 127.0));
  }
  return table;
}

CalibrationTable calibrate(const Graph& graph, const CalibInputs& inputs, const CalibOptions& options,
                           const ProgressFn& progress) {
  CalibStats stats = collect_ranges(graph, inputs, options, progress);
  if (method_needs_histogram(options.method)) stats = collect_histograms(graph, inputs, stats, options, progress);
  return table_from_stats(graph, stats, options);
}

}  // namespace textq::quant
