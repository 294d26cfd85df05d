#include "quant/fallback.h"

#include <cmath>

#include "textq/error.h"

namespace textq::quant {

FallbackResult fallback_until_within(const Graph& fp32, const CalibrationTable& table, const QuantOptions& options,
                                     const std::vector<std::string>& order, double max_drop, int max_moves,
                                     const GraphMetric& metric, std::optional<double> fp32_metric) {
  if (!std::isfinite(max_drop) || max_drop < 0)
    throw Error(ErrorKind::InvalidArgument, "--max-drop must be a finite number >= 0, got " + std::to_string(max_drop));
  FallbackResult r;
  r.fp32_metric = fp32_metric ? *fp32_metric : metric(fp32);
  QuantOptions opt = options;
  r.graph = quantize_graph(fp32, table, opt);
  r.metric = metric(r.graph);
  r.steps.push_back({"", r.metric, true});
  int moved = 0;
  // A move is kept only if it raises the metric: on a detection metric over a
  // few images, a move can lower it (the decoder's output is noisy), and
  // keeping such a move would spend the FP32 budget on nothing.
  for (size_t k = 0; k < order.size() && moved < max_moves && r.fp32_metric - r.metric > max_drop; ++k) {
    QuantOptions trial = opt;
    trial.fp32_layers.push_back(order[k]);
    Graph g = quantize_graph(fp32, table, trial);
    const double m = metric(g);
    const bool kept = m > r.metric;
    r.steps.push_back({order[k], m, kept});
    if (!kept) continue;
    opt = std::move(trial);
    r.graph = std::move(g);
    r.metric = m;
    ++moved;
  }
  r.fp32_layers = opt.fp32_layers;
  r.moved = moved;
  r.within = r.fp32_metric - r.metric <= max_drop;
  return r;
}

}  // namespace textq::quant
