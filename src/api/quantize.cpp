#include "api/quantize.h"

#include "quant/calib_source.h"
#include "textq/error.h"

namespace textq {

void require_fp32_model(const Model& model, const std::string& path) {
  for (const Node& n : model.graph.nodes)
    if (n.quant.enabled || model.info.precision == "int8")
      throw Error(ErrorKind::InvalidArgument, path + ": the model is already INT8 (precision " + model.info.precision +
                                                  "); quantize the FP32 model made by `textq convert`");
}

Model make_int8_model(const Model& fp32, const quant::CalibrationTable& table, const quant::QuantOptions& options) {
  Model out = fp32;
  out.graph = quant::quantize_graph(fp32.graph, table, options);
  out.info.precision = "int8";
  out.info.producer = "textq 0.1.0";
  return out;
}

void quantize_model_file(const std::string& model_path, const std::string& output_path, const QuantizeRequest& r) {
  const Model model = load_model(model_path);
  require_fp32_model(model, model_path);
  quant::CalibOptions co;
  co.method = quant::calib_method_from_name(r.method);
  co.percentile = r.percentile;
  co.backend = r.backend;
  co.threads = r.threads;
  const std::vector<std::string> images = quant::select_images(quant::list_images(r.calib, r.calib_root), r.num, r.seed);
  const quant::CalibrationTable table =
      quant::calibrate(model.graph, quant::image_inputs(images, model.preprocess, r.max_image_pixels), co);
  quant::QuantOptions qo;
  qo.fp32_layers = r.fp32_layers;
  qo.int8_head = r.int8_head;
  save_model(make_int8_model(model, table, qo), output_path);
}

}  // namespace textq
