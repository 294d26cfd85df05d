#include "quant/quantize_graph.h"

#include <cfloat>
#include <cmath>
#include <functional>
#include <set>
#include <string>

#include "quant/name_match.h"
#include "quant/weight_quant.h"
#include "textq/error.h"

namespace textq::quant {
namespace {

bool is_conv(const Node& n) { return n.op == OpKind::Conv || n.op == OpKind::ConvTranspose; }

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

void check_fp32_names(const Graph& g, const std::vector<std::string>& names) {
  const std::vector<std::string> convs = conv_node_names(g);
  for (const std::string& name : names) {
    bool found = false;
    for (const Node& n : g.nodes) {
      if (n.name != name) continue;
      found = true;
      if (!is_conv(n))
        throw Error(ErrorKind::InvalidArgument, "--fp32-layers: `" + name + "` is a " + op_kind_name(n.op) +
                                                    " node; only Conv/ConvTranspose nodes are quantized");
    }
    if (found) continue;
    const std::vector<std::string> near = close_matches(name, convs);
    throw Error(ErrorKind::InvalidArgument,
                "--fp32-layers: no Conv/ConvTranspose node named `" + name + "`" +
                    (near.empty() ? std::string(" (see `textq info MODEL` for the node names)")
                                  : "; close matches: " + join(near)));
  }
}

}  // namespace

bool is_head_node(const std::string& name, const QuantOptions& options) {
  for (const std::string& suf : options.head_suffixes)
    if (ends_with(name, suf)) return true;
  return false;
}

std::vector<std::string> conv_node_names(const Graph& graph) {
  std::vector<std::string> out;
  for (const Node& n : graph.nodes)
    if (is_conv(n)) out.push_back(n.name);
  return out;
}

Graph quantize_graph(const Graph& graph, const CalibrationTable& table, const QuantOptions& options) {
  for (const Node& n : graph.nodes)
    if (n.quant.enabled)
      throw Error(ErrorKind::InvalidArgument, "the model is already INT8 (node " + n.name + " is quantized); quantize the FP32 model");
  if (static_cast<int>(table.values.size()) != graph.num_values())
    throw Error(ErrorKind::InvalidArgument, "calibration table has " + std::to_string(table.values.size()) +
                                                " values, the graph " + std::to_string(graph.num_values()));
  for (int v = 0; v < graph.num_values(); ++v)
    if (table.values[v].name != graph.value_names[v])
      throw Error(ErrorKind::InvalidArgument, "calibration table value " + std::to_string(v) + " is `" +
                                                  table.values[v].name + "`, the graph's is `" + graph.value_names[v] + "`");
  check_fp32_names(graph, options.fp32_layers);
  std::set<std::string> fp32(options.fp32_layers.begin(), options.fp32_layers.end());
  if (!options.int8_head)
    for (const Node& n : graph.nodes)
      if (is_head_node(n.name, options)) fp32.insert(n.name);

  const size_t nn = graph.nodes.size();
  std::vector<bool> int8(nn, false);
  for (size_t i = 0; i < nn; ++i) int8[i] = is_conv(graph.nodes[i]) && !fp32.count(graph.nodes[i].name);

  // int8_use[v]: some INT8 node reads v (as src or residual), directly or through MaxPool/Concat.
  std::vector<bool> int8_use(static_cast<size_t>(graph.num_values()), false);
  for (size_t i = nn; i-- > 0;) {
    const Node& n = graph.nodes[i];
    const bool pass = n.op == OpKind::MaxPool || n.op == OpKind::Concat;
    if (int8[i] || (pass && int8_use[n.output]))
      for (int v : n.inputs) int8_use[v] = true;
  }
  std::vector<bool> is_output(static_cast<size_t>(graph.num_values()), false);
  for (int v : graph.outputs) is_output[v] = true;

  // Conv/ConvTranspose nodes reading v, directly or through MaxPool/Concat.
  std::function<void(int, std::vector<std::string>&)> conv_readers = [&](int v, std::vector<std::string>& out) {
    for (const Node& n : graph.nodes)
      for (int in : n.inputs)
        if (in == v) {
          if (is_conv(n)) out.push_back(n.name);
          else if (n.op == OpKind::MaxPool || n.op == OpKind::Concat) conv_readers(n.output, out);
          break;
        }
  };
  auto keep_hint = [&](int v, const Node& user, const std::string& role) {
    if (role == "input") return "the layer FP32 with --fp32-layers " + user.name;
    std::vector<std::string> readers;
    conv_readers(v, readers);
    return "its readers FP32 with --fp32-layers " + join(readers, ",");
  };
  auto scale_of = [&](int v, const Node& user, const char* role) {
    const ValueCalib& c = table.values[v];
    const double qmax = c.type == DType::u8 ? 255.0 : 127.0;
    if (!(std::isfinite(c.threshold) && c.threshold > 0.0 && c.scale >= FLT_MIN && std::isfinite(c.scale)))
      throw Error(ErrorKind::InvalidArgument,
                  "node " + user.name + ": " + role + " `" + c.name + "` has threshold " + std::to_string(c.threshold) +
                      " (abs max " + std::to_string(c.abs_max) + ") over " + std::to_string(table.num_images) +
                      " calibration images, so its scale " + std::to_string(c.threshold / qmax) +
                      " is zero or not finite; use other calibration images or keep " + keep_hint(v, user, role));
    return c.scale;
  };

  Graph out = graph;
  std::vector<bool> int_dst(static_cast<size_t>(graph.num_values()), false);
  for (size_t i = 0; i < nn; ++i) {
    if (!int8[i]) continue;
    Node& n = out.nodes[i];
    QuantParams q;
    q.enabled = true;
    const int src = n.inputs[0];
    q.src_scale = scale_of(src, n, "input");
    q.src_type = table.values[src].type;
    bool f32_out = is_output[n.output] || !int8_use[n.output];
    f32_out = f32_out || is_head_node(n.name, options);
    if (f32_out) {
      q.dst_type = DType::f32;
      q.dst_scale = 0.f;
    } else {
      q.dst_scale = scale_of(n.output, n, "output");
      q.dst_type = table.values[n.output].type;
      int_dst[n.output] = true;
    }
    if (n.has_residual()) q.residual_scale = int_dst[n.inputs[1]] ? table.values[n.inputs[1]].scale : 0.f;
    QuantizedWeight w;
    const QuantizedWeight* pre = nullptr;
    if (options.rounded_weights) {
      const auto it = options.rounded_weights->find(n.name);
      if (it != options.rounded_weights->end()) pre = &it->second;
    }
    if (pre) {
      if (pre->weight.shape() != n.weight.shape())
        throw Error(ErrorKind::InvalidArgument, "node " + n.name + ": its pre-rounded weights do not have its weight's shape");
      w = *pre;
    } else {
      w = with_error_context("quantize", [&] { return quantize_weight_per_oc(n); });
    }
    n.weight = w.weight;  // the FP32 weight is dropped: the file holds s8 + scales only
    q.weight_scales = std::move(w.scales);
    n.quant = std::move(q);
  }
  out.verify();
  return out;
}

}  // namespace textq::quant
