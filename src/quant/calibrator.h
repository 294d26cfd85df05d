// Calibration: runs the FP32 graph over N inputs, observes every value
// through the Executor's NodeObserver, and chooses one threshold -> scale per
// scale group (scale_groups.h) with the selected observer (observer.h).
// Pass 1 collects min/max; pass 2 (histogram methods) fills a 2048-bin |x|
// histogram per group over [0, group abs max]. Inputs are produced on demand
// (once per pass), so memory does not grow with N.
#pragma once

#include <cstddef>
#include <functional>

#include "ir/graph.h"
#include "quant/calibration_table.h"
#include "runtime/executor.h"

namespace textq::quant {

// count inputs; get(i) returns the i-th [1, 3, H, W] f32 network input.
struct CalibInputs {
  size_t count = 0;
  std::function<Tensor(size_t)> get;
};

// stage: "calibrate: ranges", "calibrate: histograms", "diagnostics"; done of total.
using ProgressFn = std::function<void(const char* stage, size_t done, size_t total)>;

struct CalibOptions {
  CalibMethod method = CalibMethod::Kl;
  double percentile = 99.99;
  int num_bins = 2048;
  BackendKind backend = BackendKind::Reference;  // runs the FP32 graph
  int threads = 0;
};

// Throws Error(InvalidArgument) when count is 0 or the graph is already INT8.
CalibrationTable calibrate(const Graph& fp32_graph, const CalibInputs& inputs, const CalibOptions& options,
                           const ProgressFn& progress = nullptr);

}  // namespace textq::quant
