#include "quant/fallback.h"

#include <algorithm>
#include <cmath>

#include "textq/error.h"

namespace textq::quant {

std::vector<std::string> sensitivity_order(const std::vector<LayerDiag>& rows) {
  std::vector<const LayerDiag*> int8;
  for (const LayerDiag& r : rows)
    if (r.int8) int8.push_back(&r);
  // Stable: equal SQNR keeps graph order (earlier layers first).
  std::stable_sort(int8.begin(), int8.end(), [](const LayerDiag* a, const LayerDiag* b) { return a->sqnr_db < b->sqnr_db; });
  std::vector<std::string> out;
  for (const LayerDiag* r : int8) out.push_back(r->name);
  return out;
}

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
