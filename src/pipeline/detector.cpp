#include "pipeline/detector.h"

#include <chrono>

#include "textq/error.h"

namespace textq {

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

Detector::Detector(const Model& model, const DetectorOptions& options)
    : model_(model), options_(options), executor_(make_executor(model.graph, options.backend, options.exec)) {}

Detection Detector::detect(const cv::Mat& bgr) {
  Detection det;
  det.width = bgr.cols;
  det.height = bgr.rows;

  auto t0 = std::chrono::steady_clock::now();
  PreprocessResult pre = preprocess_image(bgr, model_.preprocess);
  det.ms_preprocess = ms_since(t0);

  t0 = std::chrono::steady_clock::now();
  std::vector<Tensor> outputs = executor_->run(pre.input);
  det.ms_network = ms_since(t0);
  if (outputs.size() != 1 || outputs[0].rank() != 4 || outputs[0].dim(1) != 5)
    throw Error(ErrorKind::UnsupportedModel, "model output is not one [1, 5, H, W] TextSnake map");
  const Tensor& out = outputs[0];

  t0 = std::chrono::steady_clock::now();
  det.instances = decode_textsnake(out.data<float>(), static_cast<int>(out.dim(2)), static_cast<int>(out.dim(3)), model_.decoder);
  rescale_instances(det.instances, pre, model_.decoder.version);
  det.ms_decode = ms_since(t0);

  if (options_.keep_tensors) {
    det.input = pre.input;
    det.raw_output = out;
  }
  return det;
}

}  // namespace textq
