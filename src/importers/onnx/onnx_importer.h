// Internal to src/importers/onnx: the state of one import (the file's
// constants, which ONNX tensor is which IR value) and the per-op translators
// (onnx_ops.cpp). onnx_import.cpp drives it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "importers/onnx/onnx_const.h"
#include "importers/onnx/onnx_import.h"
#include "ir/graph.h"
#include "textq/error.h"

namespace textq::onnx_import {

class Importer {
 public:
  Importer(std::string file, int64_t opset) : file_(std::move(file)), opset_(opset) {}

  // "<file>: node `<name>` (<op>, opset <n>): <rule>" as Error(kind).
  [[noreturn]] void fail(const std::string& rule, ErrorKind kind = ErrorKind::InvalidFile) const;
  [[noreturn]] void fail_file(const std::string& rule, ErrorKind kind = ErrorKind::InvalidFile) const;

  void add_const(const std::string& name, ConstTensor c) { consts_[name] = std::move(c); }
  void add_graph_input(const std::string& name);
  // Translates one node (constants folded, activations lowered); `label` is its unique name.
  void translate(const onnx::NodeProto& node, const std::string& label);
  // The IR value of a graph output (must be an activation).
  int output_value(const std::string& name) const;
  Graph& graph() { return graph_; }
  const std::string& file() const { return file_; }

 private:
  // --- attributes of the current node
  const onnx::AttributeProto* attr(const char* name) const;
  int64_t attr_int(const char* name, int64_t dflt) const;
  float attr_float(const char* name, float dflt) const;
  std::string attr_string(const char* name, const std::string& dflt) const;
  std::vector<int64_t> attr_ints(const char* name) const;  // empty when absent
  // --- inputs of the current node
  bool has_input(int k) const;                 // present and not the empty name
  bool is_const(int k) const;
  const ConstTensor& const_input(int k) const;  // fails naming the input when not constant
  int act_input(int k) const;                   // fails when constant or missing
  void set_const_output(ConstTensor c);
  void set_act_output(int value, bool flat);
  int add_node(Node n);                         // appends, returns its output value id (named after output 0)
  void require_inputs(int lo, int hi) const;
  void require_outputs(int max) const;

  // --- translators (onnx_ops.cpp)
  bool fold_constant();  // all inputs constant and the op foldable: true when done
  void conv(bool transpose);
  void pool(OpKind op);
  void unary(OpKind op);
  void clip();
  void binary(const std::string& op);
  void concat();
  void resize();
  void pad();
  void batch_norm();
  Window2d window(bool transpose, int64_t kh, int64_t kw);
  Node base_node(OpKind op) const;

  std::string file_;
  int64_t opset_;
  Graph graph_;
  std::map<std::string, ConstTensor> consts_;
  std::map<std::string, int> acts_;  // ONNX tensor name -> IR value id
  std::vector<bool> flat_;           // IR value id -> known to be [N, C, 1, 1]
  const onnx::NodeProto* node_ = nullptr;
  std::string label_;
};

}  // namespace textq::onnx_import
