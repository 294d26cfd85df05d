// Image in, polygons out: preprocess → graph on a backend → decode (TextSnake
// or DB, as the model says) → rescale.
// One Detector per model and backend; reuse it across images (the backend
// caches primitives per input shape). The three stages are public so a caller
// can overlap the decode of one image with the network run of the next.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/tensor_pool.h"
#include "formats/model.h"
#include "runtime/executor.h"
#include "textdet/preprocess.h"
#include "textdet/db_decoder.h"
#include "textdet/textsnake_decoder.h"

namespace textq {

struct DetectorOptions {
  BackendKind backend = BackendKind::OneDnn;
  ExecOptions exec;
  bool keep_tensors = false;  // keep the network input and raw output (for --save-maps)
};

struct Detection {
  int width = 0, height = 0;             // original image size
  std::vector<TextInstance> instances;   // original-image coordinates
  Tensor input;                          // [1,3,Hp,Wp] if keep_tensors
  Tensor raw_output;                     // [1,5,Hp,Wp] (DB: [1,C,Hp,Wp]) if keep_tensors
  double ms_preprocess = 0, ms_network = 0, ms_decode = 0;
  std::chrono::steady_clock::time_point network_done;  // when the network stage ended (throughput)
};

// What the network stage hands to the decode stage.
struct NetworkResult {
  PreprocessResult pre;
  Tensor raw_output;  // [1,5,Hp,Wp] (DB: [1,C,Hp,Wp])
  double ms_preprocess = 0, ms_network = 0;
  std::chrono::steady_clock::time_point network_done;
};

class Detector {
 public:
  Detector(const Model& model, const DetectorOptions& options);

  // Stage 1 alone: touches no Detector state but its thread-safe pool of
  // input buffers, so it may run on another thread (the next image's, while
  // run_network() works on this one).
  PreprocessResult preprocess(const cv::Mat& bgr) const;
  // Stage 2 on a preprocessed image (uses the backend's threads).
  NetworkResult run_network(PreprocessResult pre, double ms_preprocess);
  // Stages 1+2.
  NetworkResult run_network(const cv::Mat& bgr);
  // Stage 3: decode + rescale; touches no Detector state, so it may run on
  // another thread while run_network() works on the next image.
  Detection decode(const NetworkResult& net) const;
  // All three in order.
  Detection detect(const cv::Mat& bgr) { return decode(run_network(bgr)); }

  const Model& model() const { return model_; }
  Executor& executor() { return *executor_; }

 private:
  const Model& model_;
  DetectorOptions options_;
  std::unique_ptr<Executor> executor_;
  // Input tensors reused once released (core/tensor_pool.h): the batch
  // pipeline has three images' inputs alive at once (loading, in the
  // network, being decoded).
  mutable TensorPool input_pool_{4};
};

}  // namespace textq
