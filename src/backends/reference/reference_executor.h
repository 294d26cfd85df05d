// The reference backend: runs a Graph node by node on the plain kernels of
// src/ops. Slow but obvious; the oracle for the oneDNN backend and the
// quantizer. INT8 nodes (quant.enabled) run the integer kernels of
// ops/ops_int8_ref.h; values between nodes are always f32 (dequantized).
#pragma once

#include <memory>

#include "ir/graph.h"
#include "runtime/executor.h"

namespace textq {

// Verifies the graph (Graph::verify) and keeps a copy of it. options.threads > 0
// sets the OpenMP thread count for each run (omp_set_num_threads).
std::unique_ptr<Executor> make_reference_executor(const Graph& graph, const ExecOptions& options);

}  // namespace textq
