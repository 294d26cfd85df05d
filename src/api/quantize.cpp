#include "api/quantize.h"

#include <algorithm>

#include "quant/bias_correction.h"
#include "quant/calib_source.h"
#include "quant/dw_equalize.h"
#include "quant/gptq.h"
#include "quant/nonneg_shift.h"
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

std::set<std::string> layers_kept_fp32(const Graph& graph, const std::vector<std::string>& fp32_layers, bool int8_head) {
  std::set<std::string> keep(fp32_layers.begin(), fp32_layers.end());
  if (!int8_head)
    for (const Node& n : graph.nodes)
      if (quant::is_head_node(n.name, quant::QuantOptions{})) keep.insert(n.name);
  return keep;
}

std::vector<FoldedPair> fold_before_calibration(Graph& graph, bool fold_head, bool fold_pointwise, bool int8_head,
                                                       const std::vector<std::string>& fp32_layers) {
  std::vector<FoldedPair> folded;
  if (!fold_head && !fold_pointwise) return folded;
  const quant::QuantOptions qo;
  auto accept = [&](const Node&, const Node& pointwise) {
    if (!quant::is_head_node(pointwise.name, qo)) return fold_pointwise;
    const bool head_asked_for = int8_head || std::find(fp32_layers.begin(), fp32_layers.end(), pointwise.name) != fp32_layers.end();
    return fold_head && !head_asked_for;
  };
  graph = fold_pointwise_convs(graph, &folded, true, accept);
  return folded;
}

ExactRewrites apply_exact_rewrites(Graph& graph, const quant::CalibInputs& inputs, const std::set<std::string>& keep_fp32,
                                   bool equalize_dw, bool nonneg_shift, BackendKind backend, int threads) {
  ExactRewrites done;
  if (equalize_dw) {
    quant::DwEqualizeOptions eq;
    eq.backend = backend;
    eq.threads = threads;
    quant::DwEqualizeResult e = quant::equalize_depthwise_inputs(graph, inputs, keep_fp32, eq);
    graph = std::move(e.graph);
    done.equalized_convs = e.convs.size();
    done.largest_factor = e.largest_factor;
  }
  if (nonneg_shift) {
    quant::NonnegShiftResult s = quant::shift_hardswish_inputs(graph, keep_fp32);
    graph = std::move(s.graph);
    done.shifted_convs = s.shifted_convs.size();
    done.pads_added = s.pads_added;
  }
  return done;
}

void quantize_model_file(const std::string& model_path, const std::string& output_path, const QuantizeRequest& r) {
  Model model = load_model(model_path);
  require_fp32_model(model, model_path);
  // Same order as `textq quantize`: fold, select and read the images, exact
  // rewrites, calibrate, GPTQ rounding, quantize, correct biases.
  fold_before_calibration(model.graph, r.fold_head, r.fold_pointwise, r.int8_head, r.fp32_layers);
  quant::CalibOptions co;
  co.method = quant::calib_method_from_name(r.method);
  co.percentile = r.percentile;
  co.backend = r.backend;
  co.threads = r.threads;
  const std::vector<std::string> images = quant::select_images(quant::list_images(r.calib, r.calib_root), r.num, r.seed);
  const quant::CalibInputs inputs = quant::image_inputs(images, model.preprocess, r.max_image_pixels);
  const std::set<std::string> keep_fp32 = layers_kept_fp32(model.graph, r.fp32_layers, r.int8_head);
  apply_exact_rewrites(model.graph, inputs, keep_fp32, r.equalize_dw, r.nonneg_shift, r.backend, r.threads);
  const quant::CalibrationTable table = quant::calibrate(model.graph, inputs, co);
  quant::QuantOptions qo;
  qo.fp32_layers = r.fp32_layers;
  qo.int8_head = r.int8_head;
  if (r.gptq) {
    quant::GptqOptions go;
    go.backend = r.backend;
    go.threads = r.threads;
    qo.rounded_weights = std::make_shared<const std::map<std::string, quant::QuantizedWeight>>(
        quant::gptq_round_weights(model.graph, inputs, keep_fp32, go).weights);
  }
  Model out = make_int8_model(model, table, qo);
  if (r.bias_correction) {
    quant::BiasCorrectionOptions bo;
    bo.backend = r.backend;
    bo.threads = r.threads;
    out.graph = quant::correct_biases(model.graph, out.graph, inputs, bo);
  }
  save_model(out, output_path);
}

}  // namespace textq
