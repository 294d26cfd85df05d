// Runs a Graph on one backend. create: validate + pack weights; run: execute
// for one input (primitives are built once per input shape and cached).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "textq/tensor.h"

namespace textq {

enum class BackendKind { Reference, OneDnn };
const char* backend_kind_name(BackendKind kind);

struct ExecOptions {
  int threads = 0;       // 0 = library default (all cores)
  bool verbose = false;  // record per-node implementation names
  // oneDNN only: FP32 nodes compute with bf16 weights and activations and f32
  // accumulation (AVX-512 BF16 / AMX). INT8 nodes are unaffected.
  bool bf16 = false;
};

// Called after each node with its output (NCHW f32 or the quantized type).
using NodeObserver = std::function<void(const Node& node, const Tensor& output)>;

struct NodeProfile {
  std::string name;
  std::string impl;   // oneDNN impl_info_str(), or "reference"
  double ms = 0.0;    // time of the last run
};

class Executor {
 public:
  virtual ~Executor() = default;
  // input: [N, 3, H, W] f32. Returns the graph outputs (f32, NCHW).
  virtual std::vector<Tensor> run(const Tensor& input, const NodeObserver* observer = nullptr) = 0;
  // Per-node implementation names and times of the last run (empty if unsupported).
  virtual std::vector<NodeProfile> profile() const { return {}; }
  virtual std::string describe() const = 0;
};

std::unique_ptr<Executor> make_executor(const Graph& graph, BackendKind kind, const ExecOptions& options);

}  // namespace textq
