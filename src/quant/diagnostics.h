// Per-layer diagnostics: runs the FP32 and the INT8 graph on the same inputs
// and compares each Conv/ConvTranspose node's output (INT8 graph, errors
// accumulated from the input on) against the FP32 graph's, through the
// NodeObserver. To bound memory, at most `max_samples_per_node` elements of
// each node output are kept per input (every k-th element, k = ceil(numel /
// max)); SQNR and cosine are computed over those samples, summed over inputs.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "quant/calibration_table.h"
#include "quant/calibrator.h"

namespace textq::quant {

struct LayerDiag {
  std::string name;
  std::string op;
  bool int8 = false;
  std::string src;        // "u8 0.0123" or "f32"
  std::string dst;        // "s8 0.0456" or "f32"
  double out_min = 0, out_max = 0;   // FP32 output range on the calibration set
  double threshold = 0;   // output group threshold (0 when dst is f32)
  double sqnr_db = 0;     // 10 log10(sum r^2 / sum (r - q)^2); +inf when equal
  double cosine = 0;      // sum rq / sqrt(sum r^2 sum q^2)
  int64_t samples = 0;
  // Graph-output nodes only: SQNR of each output channel. One number over all
  // elements is the largest-magnitude channel's (TextSnake's radius map, in
  // pixels), not the logits' the decoder thresholds.
  std::vector<double> channel_sqnr_db;
};

struct DiagOptions {
  BackendKind fp32_backend = BackendKind::Reference;
  BackendKind int8_backend = BackendKind::Reference;
  int threads = 0;
  int64_t max_samples_per_node = 1 << 18;  // 1 MB per node and image
};

// Both graphs must have the same nodes (same names and order).
std::vector<LayerDiag> compare_layers(const Graph& fp32_graph, const Graph& int8_graph, const CalibrationTable& table,
                                      const CalibInputs& inputs, const DiagOptions& options,
                                      const ProgressFn& progress = nullptr);

// The stride that keeps at most max_samples of numel elements (every k-th,
// k = ceil(numel / max_samples)); 1 when max_samples <= 0 or numel fits.
int64_t sample_step(int64_t numel, int64_t max_samples);

// 10 log10(signal / noise) in dB; +inf when noise is 0.
double sqnr_db(double signal, double noise);

// Signal and error energy per channel of NCHW tensors, accumulated from
// strided samples: sample m is element m * step, of channel (m * step / plane) % channels.
struct ChannelEnergy {
  std::vector<double> signal, noise;
  void add(const float* ref_samples, const float* got, int64_t numel, int64_t channels, int64_t plane, int64_t step);
  double sqnr_db(size_t channel) const;
  // Every channel weighted equally: 10 log10(C / sum_c noise_c / signal_c).
  double balanced_sqnr_db() const;
};

// A fixed-width text table, one row per layer.
std::string format_layer_table(const std::vector<LayerDiag>& rows);

}  // namespace textq::quant
