// Calibration: runs the FP32 graph over N inputs, observes every value
// through the Executor's NodeObserver, and chooses one threshold -> scale per
// scale group (scale_groups.h) with the selected observer (observer.h).
// Pass 1 collects min/max; pass 2 (histogram methods) fills a 2048-bin |x|
// histogram per group over [0, group abs max]. Inputs are produced on demand
// (once per pass), so memory does not grow with N.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <vector>

#include "ir/graph.h"
#include "quant/calibration_table.h"
#include "quant/histogram.h"
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

// calibrate() in its two passes, for calibration split over machines
// (calib_stats.h): statistics are exact and merge exactly (min/max; integer
// bin counts over bins fixed by the merged ranges), so a table made from
// merged statistics is bitwise the table of one run over all the images.
struct ValueRange {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  bool seen = false;
  bool nonfinite = false;  // a NaN/inf was seen (the group's threshold becomes NaN)
  void add(const Tensor& t);
  void merge(const ValueRange& o);
};

struct CalibStats {
  int64_t num_images = 0;          // images behind the last pass (ranges, or histograms)
  std::vector<ValueRange> ranges;  // per graph value (pass 1, merged over every machine's images)
  // Pass 2: per scale group, |x| histogram over [0, group abs max of `ranges`];
  // empty when the pass was not run; a group with abs max 0 has no bins.
  std::vector<AbsHistogram> histograms;
  bool has_histograms() const { return !histograms.empty(); }
};

// Pass 1 over inputs (ranges only).
CalibStats collect_ranges(const Graph& fp32_graph, const CalibInputs& inputs, const CalibOptions& options,
                          const ProgressFn& progress = nullptr);
// Pass 2 over inputs, bins fixed by `ranges` (pass 1 of every machine, merged):
// returns `ranges` with the histograms of these inputs.
CalibStats collect_histograms(const Graph& fp32_graph, const CalibInputs& inputs, const CalibStats& ranges,
                              const CalibOptions& options, const ProgressFn& progress = nullptr);
// The table from statistics: minmax needs ranges, the other methods histograms.
CalibrationTable table_from_stats(const Graph& fp32_graph, const CalibStats& stats, const CalibOptions& options);

}  // namespace textq::quant
