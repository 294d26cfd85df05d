// Everything built for one input shape: the primitives in execution order
// with their argument maps, the memory of every value, and the buffers behind
// them. Built by PlanBuilder (plan_builder.h), run by the executor.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "backends/onednn/buffer_planner.h"
#include "backends/onednn/onednn_common.h"
#include "core/tensor_pool.h"

namespace textq::onednn {

// A oneDNN primitive with its arguments, or (when `run` is set) one of our
// own kernels (winograd_f43.h) reading the memories it captured.
struct Step {
  dnnl::primitive prim;
  std::unordered_map<int, memory> args;
  std::function<void()> run;
};

struct NodePlan {
  size_t first_step = 0, end_step = 0;  // steps[first, end) run this node (reorders included)
  std::string impl;                     // impl_info_str() of the node's main primitive
  int reorders = 0;                     // layout conversions added for this node
  int fused_into = -1;                  // the conv running this node as post-ops (no steps), or -1
};

struct ShapePlan {
  Shape input_shape;
  std::vector<Shape> shapes;       // value id -> NCHW shape
  std::vector<memory> values;      // value id -> memory holding it (blocked layout)
  // value id -> scale of what values[] holds: real = scale * stored. 1 for f32
  // values; an INT8 node's u8/s8 output keeps its dst_scale (docs/quantization.md).
  std::vector<float> scales;
  std::vector<Tensor> keep;        // derived tensors the steps point into (INT8 biases)
  memory input_user;               // plain NCHW view of the caller's input (handle set per run)
  std::vector<Step> steps;
  std::vector<NodePlan> nodes;     // node index -> its steps
  std::vector<dnnl::reorder> output_reorders;  // graph output i: values[...] -> output_plain[i] (dequantizing)
  std::vector<memory> output_plain;
  // Graph output i (listed once) is written plain NCHW f32 through its
  // value's handle, read at run time (our own kernels), and has no buffer:
  // the executor points the handle at the tensor it returns, no reorder.
  std::vector<bool> output_direct;
  // Per graph output, the tensors of earlier runs, reused once the caller no
  // longer holds them: an 18.8 MB output allocated anew per run (below
  // glibc's mmap threshold) fragmented the heap, raised the process's peak
  // RSS by that much now and then, and cost page faults. Three per output: a
  // batch pipeline decodes one run's output while the next run writes.
  std::deque<TensorPool> output_pools;
  std::vector<std::optional<dnnl::reorder>> observer_reorders;  // made on first observed run
  BufferPlanner buffers;
};

}  // namespace textq::onednn
