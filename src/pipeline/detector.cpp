#include "pipeline/detector.h"

#include <chrono>

#include "textq/error.h"

namespace textq {

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// TextSnake: one [1, 5, H, W] map (text, centre, sin, cos, radius). DB: one
// [1, C, H, W] map whose channel 0 is the probability (PaddleOCR: C = 1;
// MMOCR 0.x DBHead: probability, threshold, binary).
void check_raw_output(const std::vector<Tensor>& outputs, DecoderKind kind) {
  const bool db = kind == DecoderKind::Db;
  const bool ok = outputs.size() == 1 && outputs[0].rank() == 4 && outputs[0].dim(0) == 1 &&
                  (db ? outputs[0].dim(1) >= 1 : outputs[0].dim(1) == 5) && outputs[0].dtype() == DType::f32;
  if (!ok)
    throw Error(ErrorKind::UnsupportedModel, db ? "model output is not one f32 [1, C, H, W] DB probability map (channel 0 = probability)"
                                                : "model output is not one f32 [1, 5, H, W] TextSnake map");
}
}  // namespace

Detector::Detector(const Model& model, const DetectorOptions& options)
    : model_(model), options_(options), executor_(make_executor(model.graph, options.backend, options.exec)) {}

PreprocessResult Detector::preprocess(const cv::Mat& bgr) const {
  return preprocess_image(bgr, model_.preprocess, &input_pool_);
}

NetworkResult Detector::run_network(const cv::Mat& bgr) {
  const auto t0 = std::chrono::steady_clock::now();
  PreprocessResult pre = preprocess(bgr);
  return run_network(std::move(pre), ms_since(t0));
}

NetworkResult Detector::run_network(PreprocessResult pre, double ms_preprocess) {
  NetworkResult r;
  r.pre = std::move(pre);
  r.ms_preprocess = ms_preprocess;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Tensor> outputs = executor_->run(r.pre.input);
  r.network_done = std::chrono::steady_clock::now();
  r.ms_network = std::chrono::duration<double, std::milli>(r.network_done - t0).count();
  check_raw_output(outputs, model_.decoder.kind);
  r.raw_output = outputs[0];
  return r;
}

Detection Detector::decode(const NetworkResult& net) const {
  Detection det;
  det.width = net.pre.ori_w;
  det.height = net.pre.ori_h;
  det.ms_preprocess = net.ms_preprocess;
  det.ms_network = net.ms_network;
  det.network_done = net.network_done;

  const auto t0 = std::chrono::steady_clock::now();
  const Tensor& out = net.raw_output;
  const int h = static_cast<int>(out.dim(2)), w = static_cast<int>(out.dim(3));
  if (model_.decoder.kind == DecoderKind::Db) {
    det.instances = decode_db(out.data<float>(), h, w, model_.decoder.db);  // channel 0
    rescale_db_instances(det.instances, h, w, net.pre, model_.decoder.db);
  } else {
    det.instances = decode_textsnake(out.data<float>(), h, w, model_.decoder);
    rescale_instances(det.instances, net.pre, model_.decoder.version);
  }
  det.ms_decode = ms_since(t0);

  if (options_.keep_tensors) {
    det.input = net.pre.input;
    det.raw_output = out;
  }
  return det;
}

}  // namespace textq
