#include "quant/fallback.h"

#include <cmath>

#include "textq/error.h"

namespace textq::quant {

FallbackResult fallback_until_within(const Graph& fp32, const CalibrationTable& table, const QuantOptions& options,
                                     const std::vector<std::string>& order, double max_drop, int max_moves,
                                     const GraphMetric& metric) {
  if (!std::isfinite(max_drop) || max_drop < 0)
    throw Error(ErrorKind::InvalidArgument, "--max-drop must be a finite number >= 0, got " + std::to_string(max_drop));
  FallbackResult r;
  r.fp32_metric = metric(fp32);
  QuantOptions opt = options;
  r.graph = quantize_graph(fp32, table, opt);
  r.steps.push_back({"", metric(r.graph)});
  auto within = [&] { return r.fp32_metric - r.steps.back().metric <= max_drop; };
  for (size_t k = 0; k < order.size() && static_cast<int>(k) < max_moves && !within(); ++k) {
    opt.fp32_layers.push_back(order[k]);
    r.graph = quantize_graph(fp32, table, opt);
    r.steps.push_back({order[k], metric(r.graph)});
  }
  r.fp32_layers = opt.fp32_layers;
  r.within = within();
  return r;
}

}  // namespace textq::quant
