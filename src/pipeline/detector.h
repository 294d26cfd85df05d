// Image in, polygons out: preprocess → graph on a backend → decode → rescale.
// One Detector per model and backend; reuse it across images (the backend
// caches primitives per input shape).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "formats/model.h"
#include "runtime/executor.h"
#include "textdet/preprocess.h"
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
  Tensor raw_output;                     // [1,5,Hp,Wp] if keep_tensors
  double ms_preprocess = 0, ms_network = 0, ms_decode = 0;
};

class Detector {
 public:
  Detector(const Model& model, const DetectorOptions& options);
  Detection detect(const cv::Mat& bgr);
  const Model& model() const { return model_; }
  Executor& executor() { return *executor_; }

 private:
  const Model& model_;
  DetectorOptions options_;
  std::unique_ptr<Executor> executor_;
};

}  // namespace textq
