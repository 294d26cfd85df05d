// The json files the report reads, as plain structs, each loaded with
// one-line errors naming the file and key:
//   eval   `textq eval --report-json`   (threshold sweep of one model)
//   bench  `textq bench --json`          (network timing of one model)
//   quant  `textq quantize --report-json` (per-layer diagnostics + decisions;
//          written through save_quant_summary so writer and reader share a schema)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace textq::report {

struct ThresholdRow {
  double threshold = 0, recall = 0, precision = 0, hmean = 0;
  int64_t matched = 0, gt = 0, det = 0;
};

struct EvalSummary {
  std::string path;
  std::string metric;       // "mmocr0" / "mmocr1"
  std::string predictions;  // what was scored (model or predictions file)
  int64_t images = 0;
  std::vector<ThresholdRow> thresholds;  // ascending
  ThresholdRow best;
  size_t best_index = 0;  // row of `thresholds` equal to `best`
};
EvalSummary load_eval_summary(const std::string& path);

struct BenchSummary {
  std::string path, model, precision, backend, isa;
  int threads = 0;
  std::vector<int64_t> input_shape;  // N, C, H, W
  int runs = 0;
  double median_ms = 0, min_ms = 0, max_ms = 0, gops = 0, peak_rss_mb = 0;
};
BenchSummary load_bench_summary(const std::string& path);

struct QuantLayer {
  std::string name, op;
  bool int8 = false;
  std::string src, dst;          // "u8 0.0123" / "s8 0.0456" / "f32"
  double out_min = 0, out_max = 0, threshold = 0;
  double sqnr_db = 0;            // +inf when INT8 output equals FP32 (json null)
  double cosine = 0;
  int64_t samples = 0;
  std::string fp32_reason;       // why it stays FP32 ("" for INT8 layers)
  std::vector<double> channel_sqnr_db;  // graph-output layers: per output channel (+inf = json null)
};

struct QuantSummary {
  std::string path;  // set by the loader
  std::string model_fp32, model_int8;
  std::string method;            // kl, minmax, percentile, mse
  double percentile = 0;         // only meaningful for method percentile
  std::string calib_source;
  int64_t calib_images = 0, calib_available = 0;
  uint64_t seed = 0;
  int64_t diag_images = 0;
  int64_t int8_nodes = 0, conv_nodes = 0;
  std::string stem_decision;     // one sentence, as `quantize` prints it
  int64_t fp32_bytes = 0, int8_bytes = 0;
  std::vector<QuantLayer> layers;  // graph order
  std::optional<double> val_sqnr_db, val_cosine;  // INT8 vs FP32 output on --val images
  std::vector<double> val_channel_sqnr_db;         // the same per output channel
  int64_t val_images = 0;
};
// Atomic write; the file starts {"format":"textq-quant-report","version":1,...}.
void save_quant_summary(const QuantSummary& q, const std::string& path);
QuantSummary load_quant_summary(const std::string& path);

}  // namespace textq::report
