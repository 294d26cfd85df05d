#include "quant/scale_groups.h"

#include <numeric>

#include "quant/nonneg_shift.h"

namespace textq::quant {
namespace {

int find(std::vector<int>& parent, int x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

bool is_pass_through(OpKind op) { return op == OpKind::MaxPool || op == OpKind::Concat; }

// Non-negative by construction: ReLU, the sigmoids (gates in [0, 1]), a Clip with min >= 0.
bool produces_nonneg(const Node& n) {
  return n.op == OpKind::Relu || n.activation == Activation::Relu || n.op == OpKind::Sigmoid ||
         n.op == OpKind::HardSigmoid || (n.op == OpKind::Clip && n.attrs.alpha >= 0.f);
}

}  // namespace

ScaleGroups build_scale_groups(const Graph& graph) {
  const int nv = graph.num_values();
  std::vector<int> parent(static_cast<size_t>(nv));
  std::iota(parent.begin(), parent.end(), 0);
  ScaleGroups g;
  g.value_nonneg.assign(static_cast<size_t>(nv), false);
  // Also non-negative by construction: e.g. Affine(HardSwish) with an addend
  // >= 0.375 x its multiplier (nonneg_shift.h makes those).
  const std::vector<double> lower = value_lower_bounds(graph);
  std::vector<bool> is_source(static_cast<size_t>(nv), false);
  is_source[graph.input] = true;
  std::vector<int> reads(static_cast<size_t>(nv), 0);
  for (const Node& n : graph.nodes)
    for (int v : n.inputs) ++reads[v];
  for (int v : graph.outputs) ++reads[v];
  std::vector<std::pair<int, int>> requantized;  // (concat input, concat output)
  for (const Node& n : graph.nodes) {
    if (is_pass_through(n.op)) {
      bool nonneg = true;
      for (int v : n.inputs) {
        if (n.op == OpKind::Concat && reads[v] > 1)
          requantized.emplace_back(v, n.output);  // keeps its own scale for its other readers
        else
          parent[find(parent, v)] = find(parent, n.output);
        nonneg = nonneg && g.value_nonneg[v];
      }
      g.value_nonneg[n.output] = nonneg;
    } else {
      is_source[n.output] = true;
      g.value_nonneg[n.output] = produces_nonneg(n) || lower[n.output] >= 0.0;
    }
  }
  std::vector<int> id(static_cast<size_t>(nv), -1);
  g.group_of.assign(static_cast<size_t>(nv), -1);
  for (int v = 0; v < nv; ++v) {
    const int r = find(parent, v);
    if (id[r] < 0) {
      id[r] = static_cast<int>(g.sources.size());
      g.sources.emplace_back();
      g.group_nonneg.push_back(true);
    }
    g.group_of[v] = id[r];
  }
  for (int v = 0; v < nv; ++v) {
    if (!is_source[v]) continue;
    const int gid = g.group_of[v];
    g.sources[gid].push_back(v);
    if (!g.value_nonneg[v]) g.group_nonneg[gid] = false;
  }
  for (const auto& [v, concat_out] : requantized) {
    const int gid = g.group_of[concat_out];
    g.sources[gid].push_back(v);
    if (!g.value_nonneg[v]) g.group_nonneg[gid] = false;
  }
  return g;
}

}  // namespace textq::quant
