// Calibration statistics on disk, for calibration split over machines
// (`quantize --calib-stats-out/--calib-stats-in`, docs/quantization.md
// "Calibration on several machines"; format in docs/formats.md).
//   round 1, each machine:  ranges of its images            (stage "ranges")
//   minmax:                 merged ranges -> table
//   round 2, each machine:  histograms of its images, bins fixed by the merged
//                           ranges of round 1               (stage "histograms")
//   mse/kl/percentile:      summed histograms -> table
// Merging is exact (min/max, integer counts), so the table equals a single
// run's over all the images, bit for bit.
#pragma once

#include <string>
#include <vector>

#include "quant/calibrator.h"

namespace textq::quant {

struct CalibStatsFile {
  std::string model_sha256;        // of the FP32 model file the statistics were taken on
  std::vector<std::string> value_names;  // graph values, in id order
  int num_bins = 0;                // histogram bins (stage "histograms")
  CalibStats stats;
  std::vector<std::string> images;        // images of the last pass on this machine
  std::vector<std::string> range_images;  // stage "histograms": every image behind the merged ranges
};

void save_calib_stats(const CalibStatsFile& file, const std::string& path);  // atomic
CalibStatsFile load_calib_stats(const std::string& path);  // Error(InvalidFile) naming the file and the rule

// Merges statistics files of one model, all of one stage. Ranges: min/max,
// images concatenated. Histograms: the files must share the merged ranges
// (one round 1) and together cover exactly its images, each once; bins are
// summed. Refusals are Error(InvalidArgument) naming the file and the rule.
CalibStatsFile merge_calib_stats(const std::vector<CalibStatsFile>& files, const std::vector<std::string>& paths,
                                 const std::string& model_sha256, const Graph& graph);

}  // namespace textq::quant
