// Drives an ONNX import: read and parse the file, check the model-level
// rules (opset, one 4-D float input, outputs), order the nodes (Kahn's
// algorithm: a cycle or a dangling input is refused naming the node),
// translate them (onnx_ops.cpp, onnx_fold.cpp), simplify (ir_fusion.h) and verify.
#include "importers/onnx/onnx_import.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "importers/onnx/ir_fusion.h"
#include "importers/onnx/onnx_importer.h"

namespace textq {

namespace {

constexpr uint64_t kMaxOnnxBytes = (uint64_t(1) << 31) - 1;  // protobuf's own limit
constexpr int64_t kMinOpset = 7, kMaxOpset = 18;
constexpr int kMaxNodes = 100000;

std::string node_label(const onnx::NodeProto& n, int index) {
  return n.name().empty() ? n.op_type() + "_" + std::to_string(index) : n.name();
}

// Node indices in an order where every input is produced before it is read.
std::vector<int> topological_order(const onnx::GraphProto& g, const std::set<std::string>& available,
                                   const std::string& file) {
  const int nn = g.node_size();
  std::map<std::string, int> producer;
  for (int i = 0; i < nn; ++i)
    for (const std::string& out : g.node(i).output()) {
      if (out.empty()) continue;
      if (available.count(out))
        throw Error(ErrorKind::InvalidFile, file + ": node `" + node_label(g.node(i), i) + "` (" + g.node(i).op_type() +
                                                "): output `" + out + "` redefines a graph input or initializer");
      if (!producer.emplace(out, i).second)
        throw Error(ErrorKind::InvalidFile, file + ": node `" + node_label(g.node(i), i) + "` (" + g.node(i).op_type() +
                                                "): output `" + out + "` is already produced by node `" +
                                                node_label(g.node(producer[out]), producer[out]) + "`");
    }
  std::vector<int> pending(static_cast<size_t>(nn), 0);
  std::vector<std::vector<int>> readers(static_cast<size_t>(nn));
  for (int i = 0; i < nn; ++i)
    for (const std::string& in : g.node(i).input()) {
      if (in.empty() || available.count(in)) continue;
      auto it = producer.find(in);
      if (it == producer.end())
        throw Error(ErrorKind::InvalidFile, file + ": node `" + node_label(g.node(i), i) + "` (" + g.node(i).op_type() +
                                                "): input `" + in + "` is missing (no initializer, graph input or node produces it)");
      ++pending[static_cast<size_t>(i)];
      readers[static_cast<size_t>(it->second)].push_back(i);
    }
  std::vector<int> order, ready;
  for (int i = nn - 1; i >= 0; --i)
    if (pending[static_cast<size_t>(i)] == 0) ready.push_back(i);
  while (!ready.empty()) {
    const int i = ready.back();
    ready.pop_back();
    order.push_back(i);
    for (int r : readers[static_cast<size_t>(i)])
      if (--pending[static_cast<size_t>(r)] == 0) ready.push_back(r);
  }
  if (static_cast<int>(order.size()) != nn)
    for (int i = 0; i < nn; ++i)
      if (pending[static_cast<size_t>(i)] > 0)
        throw Error(ErrorKind::InvalidFile, file + ": node `" + node_label(g.node(i), i) + "` (" + g.node(i).op_type() +
                                                "): its inputs depend on its own output (the graph has a cycle)");
  return order;
}

}  // namespace

bool looks_like_onnx_path(const std::string& path) {
  return path.size() >= 5 && path.compare(path.size() - 5, 5, ".onnx") == 0;
}

Graph import_onnx(const std::string& path, OnnxImportInfo* info) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Io, "cannot open " + path + ": " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw Error(ErrorKind::Io, "cannot tell the size of " + path);
  if (static_cast<uint64_t>(size) > kMaxOnnxBytes)
    throw Error(ErrorKind::UnsupportedModel, path + ": " + std::to_string(size) + " bytes is above protobuf's 2 GiB limit (external data is not supported)");
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) throw Error(ErrorKind::Io, "cannot read " + path);
  return import_onnx_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path, info);
}

Graph import_onnx_bytes(const uint8_t* data, size_t size, const std::string& file, OnnxImportInfo* info) {
  using onnx_import::Importer;
  if (size > kMaxOnnxBytes) throw Error(ErrorKind::UnsupportedModel, file + ": above protobuf's 2 GiB limit");
  onnx::ModelProto model;
  if (size == 0 || !model.ParseFromArray(data, static_cast<int>(size)))
    throw Error(ErrorKind::InvalidFile, file + ": not a valid ONNX model (the protobuf does not parse: truncated or not ONNX)");
  if (!model.has_graph()) throw Error(ErrorKind::InvalidFile, file + ": the ONNX model has no graph");
  int64_t opset = 0;
  for (const onnx::OperatorSetIdProto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset = o.version();
  if (opset == 0 && model.ir_version() < 3) opset = 1;
  if (opset < kMinOpset || opset > kMaxOpset)
    throw Error(ErrorKind::UnsupportedModel, file + ": default-domain opset " + std::to_string(opset) + " is outside " +
                                                 std::to_string(kMinOpset) + ".." + std::to_string(kMaxOpset));
  const onnx::GraphProto& g = model.graph();
  if (g.node_size() > kMaxNodes) throw Error(ErrorKind::UnsupportedModel, file + ": more than 100000 nodes");
  OnnxImportInfo local;
  OnnxImportInfo& inf = info ? *info : local;
  inf.opset = opset;
  inf.producer = model.producer_name() + (model.producer_version().empty() ? "" : " " + model.producer_version());
  inf.onnx_nodes = g.node_size();
  for (const onnx::NodeProto& n : g.node()) ++inf.op_counts[n.op_type()];

  Importer im(file, opset);
  std::set<std::string> available;
  for (int k = 0; k < g.initializer_size(); ++k) {
    const onnx::TensorProto& t = g.initializer(k);
    if (t.name().empty()) im.fail_file("initializer #" + std::to_string(k) + " has no name");
    if (!available.insert(t.name()).second) im.fail_file("initializer `" + t.name() + "` is defined twice");
    im.add_const(t.name(), onnx_import::const_from_proto(t, file + ": initializer `" + t.name() + "`"));
  }
  if (g.sparse_initializer_size() > 0) im.fail_file("sparse initializers are not supported", ErrorKind::UnsupportedModel);
  // The network input: the one graph input that is not an initializer.
  const onnx::ValueInfoProto* input = nullptr;
  for (const onnx::ValueInfoProto& v : g.input()) {
    if (available.count(v.name())) continue;
    if (input) im.fail_file("graph inputs `" + input->name() + "` and `" + v.name() + "`: textq runs single-input networks", ErrorKind::UnsupportedModel);
    input = &v;
  }
  if (!input) im.fail_file("the graph has no input that is not an initializer");
  if (input->name().empty()) im.fail_file("the graph input has no name");
  const onnx::TypeProto& type = input->type();
  if (!type.has_tensor_type() || type.tensor_type().elem_type() != onnx::TensorProto::FLOAT)
    im.fail_file("graph input `" + input->name() + "` must be a float tensor", ErrorKind::UnsupportedModel);
  if (type.tensor_type().has_shape()) {
    const onnx::TensorShapeProto& s = type.tensor_type().shape();
    if (s.dim_size() != 4) im.fail_file("graph input `" + input->name() + "` has rank " + std::to_string(s.dim_size()) + ", expected 4 (NCHW)", ErrorKind::UnsupportedModel);
    for (int k = 0; k < 4; ++k)
      if (s.dim(k).has_dim_value() && (s.dim(k).dim_value() < 1 || s.dim(k).dim_value() > (int64_t(1) << 20)))
        im.fail_file("graph input `" + input->name() + "` dimension " + std::to_string(k) + " = " +
                     std::to_string(s.dim(k).dim_value()) + " is outside 1..2^20");
    if (s.dim(1).has_dim_value()) inf.input_channels = s.dim(1).dim_value();
  }
  inf.input_name = input->name();
  im.add_graph_input(input->name());
  available.insert(input->name());
  if (g.output_size() < 1) im.fail_file("the graph has no outputs");

  const std::vector<int> order = topological_order(g, available, file);
  std::set<std::string> labels;
  std::vector<std::string> label_of(static_cast<size_t>(g.node_size()));
  for (int i = 0; i < g.node_size(); ++i) {
    std::string l = node_label(g.node(i), i);
    if (labels.count(l)) l += "#" + std::to_string(i);
    labels.insert(l);
    label_of[static_cast<size_t>(i)] = l;
  }
  for (int i : order) im.translate(g.node(i), label_of[static_cast<size_t>(i)]);
  Graph& graph = im.graph();
  for (const onnx::ValueInfoProto& o : g.output()) graph.outputs.push_back(im.output_value(o.name()));
  inf.fusions = simplify_imported_graph(graph);
  with_error_context(file, [&] { graph.verify(); });
  return graph;
}

}  // namespace textq
