// textq convert MODEL.onnx: an ONNX detector becomes a textq graph
// (docs/onnx_import.md). The importer reads the protobuf with Debian's
// libonnx (onnx.proto), folds constants (initializers, Constant nodes,
// Identity, Shape/Gather/Concat/Unsqueeze/... on constants), translates every
// remaining node into IR ops and then simplifies the graph (ir_fusion.h):
// BatchNormalization and constant Mul/Add/Sub/Div become Affine nodes that
// fold into the neighbouring convolutions, Relu fuses into Conv/Add, and the
// hardswish pattern x * Clip(x + 3, 0, 6) / 6 becomes one HardSwish node.
//
// Errors name the file, the node (name, op type, opset) or tensor, and the
// rule, on one line: Error(InvalidFile) for a broken or hostile file,
// Error(UnsupportedModel) for a valid one using something we do not run.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace textq {

struct OnnxImportInfo {
  int64_t opset = 0;                     // default-domain opset
  std::string producer;                  // producer_name producer_version
  int onnx_nodes = 0;                    // nodes in the file (Constant included)
  std::map<std::string, int> op_counts;  // ONNX op type -> count
  std::vector<std::string> fusions;      // one line per simplification kind with its count
  std::string input_name;
  int64_t input_channels = 0;            // 0 when the file leaves it symbolic
};

// Whole file in, verified graph out (graph.verify() has run).
Graph import_onnx(const std::string& path, OnnxImportInfo* info = nullptr);

// The same from bytes already in memory (the fuzzer's entry); `name` stands
// for the file in messages.
Graph import_onnx_bytes(const uint8_t* data, size_t size, const std::string& name, OnnxImportInfo* info = nullptr);

// True when the bytes look like an ONNX ModelProto rather than a .pth zip /
// pickle (used by `textq convert` to pick the importer).
bool looks_like_onnx_path(const std::string& path);

}  // namespace textq
