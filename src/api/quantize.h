// Post-training INT8 quantization of a textq model file, as the C API and the
// Python module run it: the core of `textq quantize` (calibration on a
// seeded selection of images, every Conv/ConvTranspose INT8 except the
// layers kept FP32) without its diagnostics, sensitivity and --max-drop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "formats/model.h"
#include "quant/calibrator.h"
#include "quant/quantize_graph.h"
#include "textdet/image_io.h"

namespace textq {

struct QuantizeRequest {
  std::string calib;       // folder or annotation json (quant/calib_source.h)
  std::string calib_root;  // image root of an annotation json
  std::string method = "mse";
  double percentile = 99.99;
  int num = 100;           // 0 = all images
  uint64_t seed = 0;
  std::vector<std::string> fp32_layers;
  bool int8_head = false;
  BackendKind backend = BackendKind::OneDnn;
  int threads = 0;
  uint64_t max_image_pixels = kDefaultMaxImagePixels;
};

// Error(InvalidArgument) naming `path` when the model is already INT8.
void require_fp32_model(const Model& model, const std::string& path);
// The INT8 model: `fp32` with its graph rewritten by `table` and `options`.
Model make_int8_model(const Model& fp32, const quant::CalibrationTable& table, const quant::QuantOptions& options);

// Loads model_path, calibrates, quantizes and saves output_path atomically.
void quantize_model_file(const std::string& model_path, const std::string& output_path, const QuantizeRequest& request);

}  // namespace textq
