// Error-compensating rounding of per-channel s8 conv weights (`quantize
// --gptq`, docs/quantization.md §4 "GPTQ rounding"). Rounding every weight to
// its nearest grid point (RTN) minimises each weight's own error, not the
// layer's output error: on correlated inputs the errors of neighbouring taps
// and channels add up. GPTQ (Frantar et al. 2022, after OBQ) rounds the
// weights of an output channel one input column at a time and spreads each
// column's rounding error over the columns not yet rounded, weighted by the
// inverse of the input's second-moment matrix H = sum x x^T (x: the conv's
// input patches on the calibration images, FP32 graph), so that the output
// error  (w - q s)^T H (w - q s)  is what is kept small. Scales are RTN's
// (max |w| / 127 per output channel): the file format, the kernels and every
// other step are unchanged; only which integer each weight gets differs.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "quant/calibrator.h"
#include "quant/weight_quant.h"

namespace textq::quant {

struct GptqOptions {
  BackendKind backend = BackendKind::Reference;  // runs the FP32 graph to observe conv inputs
  int threads = 0;                  // the graph runs and GPTQ's own loops (0: OpenMP's default)
  double damp = 0.01;               // H += damp * mean(diag H) * I (H is often singular: dead or constant inputs)
  int64_t max_dim = 2304;           // layers with more inputs per output channel (IC*KH*KW) keep RTN
  int64_t positions_per_image = 1024;  // output positions sampled per image and layer (all if fewer)
};

struct GptqLayer {
  std::string name;
  int64_t dim = 0;            // inputs per output channel (IC/groups * KH * KW)
  bool rounded = false;       // false: RTN kept (see why_not)
  std::string why_not;
  double rtn_error = 0;       // sum over output channels of (w - q s)^T H (w - q s) / samples
  double gptq_error = 0;      // the same for the GPTQ weights
  int64_t changed = 0;        // weights whose integer differs from RTN's
};

struct GptqResult {
  std::map<std::string, QuantizedWeight> weights;  // node name -> s8 weights (RTN's scales)
  std::vector<GptqLayer> layers;                   // every candidate layer, in graph order
};

// Rounds the weights of every dense (groups = 1) and depthwise Conv of `graph`
// not in `skip`; ConvTranspose and other grouped convs are not candidates (they
// keep RTN in quantize_graph). Deterministic (positions sampled with a fixed
// seed, sums in double in a fixed order). Throws Error(InvalidArgument) when
// inputs.count is 0.
GptqResult gptq_round_weights(const Graph& graph, const CalibInputs& inputs, const std::set<std::string>& skip,
                              const GptqOptions& options, const ProgressFn& progress = nullptr);

// One layer: rows x d weights W (row-major, f64), the d x d matrix H (sum of
// x x^T; taken by value, damped inside), the per-row scales. Returns the s8
// integers, row-major. A row with scale 0 comes back as zeros. threads: OpenMP
// team size (0: OpenMP's default); the result does not depend on it. Exposed for tests.
std::vector<int8_t> gptq_round_rows(const std::vector<double>& w, int64_t rows, int64_t d, std::vector<double> h,
                                    const std::vector<float>& scales, double damp, int threads = 0);

// sum over rows of (w - q s)^T H (w - q s). Exposed for tests.
double layer_output_error(const std::vector<double>& w, const std::vector<int8_t>& q, int64_t rows, int64_t d,
                          const std::vector<double>& h, const std::vector<float>& scales);

}  // namespace textq::quant
