// textq quantize MODEL --calib SOURCE -o MODEL_INT8: post-training INT8
// quantization (docs/quantization.md). Calibrates on N images through the
// model's own pre-processing, rewrites every Conv/ConvTranspose to INT8 except
// the layers kept FP32 (printed with the reason), prints per-layer
// diagnostics, and saves atomically (no partial file on any error).
#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "api/quantize.h"
#include "api/scoring.h"
#include "commands.h"
#include "core/file_util.h"
#include "formats/model.h"
#include "datasets/mmocr_json.h"
#include "eval/agreement.h"
#include "pipeline/batch_detect.h"
#include "progress.h"
#include "importers/pytorch/state_dict.h"
#include "ir/fold_pointwise.h"
#include "quant/bias_correction.h"
#include "quant/calib_source.h"
#include "quant/calib_stats.h"
#include "quant/calibrator.h"
#include "quant/diagnostics.h"
#include "quant/dw_equalize.h"
#include "quant/fallback.h"
#include "quant/gptq.h"
#include "quant/quantize_graph.h"
#include "quant/sensitivity.h"
#include "report/report_inputs.h"
#include "runtime_options.h"
#include "show_image.h"
#include "textq/error.h"

namespace textq::cli {

namespace {

struct QuantizeArgs {
  std::string model;
  std::string calib;
  std::string calib_root;
  std::string calib_stats_out;
  std::vector<std::string> calib_stats_in;
  std::string output;
  // mse by default: on the demo model it kept hmean closest to FP32
  // (+0.003 vs +0.011 minmax, +0.012 percentile, +0.030 kl; docs/quantization.md).
  std::string method = "mse";
  double percentile = 99.99;
  int num = 100;
  uint64_t seed = 0;
  std::vector<std::string> fp32_layers;
  bool int8_head = false;
  bool no_fold_head = false;
  bool fold_pointwise = false;
  int diag_num = 4;
  std::string val;
  std::string val_root;
  bool allow_overlap = false;
  std::string table;
  std::string report_json;
  std::optional<double> max_drop;
  int max_fallback = 8;
  bool sensitivity = false;
  bool bias_correction = false;
  bool gptq = false;
  bool nonneg_shift = false;
  bool equalize_dw = false;     // asked for: an error where it cannot run
  bool no_equalize_dw = false;  // the default is on wherever calibration images are run here
  RuntimeOptions runtime;
};

// Detections of `graph` (with the model's pre/post-processing) on `images`.
PredictionsFile detect_images(const Model& base, const Graph& graph, const std::vector<std::string>& images,
                              const RuntimeOptions& runtime, const BatchOptions& batch) {
  Model model = base;
  model.graph = graph;
  Detector detector(model, detector_options(runtime, false));
  std::vector<BatchItem> items;
  for (const auto& path : images) items.push_back({path, {}});
  run_batch_detection(detector, items, nullptr, batch);
  PredictionsFile preds;
  for (const BatchItem& item : items) preds.predictions.push_back(to_image_prediction(item.path, item.detection));
  return preds;
}

// --max-drop's task metric on the validation set: hmean against its labels
// (an annotation json; best threshold, as MMOCR reports it), else agreement
// with the FP32 model's detections at score threshold 0.3. In the agreement
// case the FP32 metric is computed from the reference detections themselves
// (no second FP32 pass over the images).
struct ValidationMetric {
  quant::GraphMetric metric;
  std::optional<double> fp32;
};

ValidationMetric validation_metric(const QuantizeArgs& a, const Model& model, const std::vector<std::string>& val,
                                   const GlobalOptions& global) {
  BatchOptions batch;
  batch.max_image_pixels = global.max_image_pixels;
  const bool labelled = std::filesystem::path(a.val).extension() == ".json";
  if (labelled) {
    // Only the annotations of `val` (a half of --val): an annotated image
    // without predictions would count as missed.
    std::set<std::string> names;
    for (const std::string& p : val) names.insert(datasets::path_basename(p));
    auto ann = std::make_shared<datasets::Dataset>();
    for (datasets::ImageAnnotation& im : datasets::read_annotation_json(a.val).images)
      if (names.count(datasets::path_basename(im.img_path))) ann->images.push_back(std::move(im));
    return {[&a, &model, val, ann, batch](const Graph& g) {
              size_t missing = 0;
              return score_predictions(detect_images(model, g, val, a.runtime, batch), "validation detections", *ann,
                                       a.val, eval::MetricRules::Mmocr0, &missing)
                  .best_result()
                  .hmean;
            },
            std::nullopt};
  }
  auto reference = std::make_shared<std::vector<eval::ImagePred>>();
  for (const ImagePrediction& p : detect_images(model, model.graph, val, a.runtime, batch).predictions)
    reference->push_back({p.polygons, p.scores});
  // At the lowest threshold (0.3), i.e. over every detection the metric
  // ever counts: the best row would favour high thresholds where a handful
  // of reference polygons are left and agreement is 1 by chance.
  auto agreement = [](const std::vector<eval::ImagePred>& ref, const std::vector<eval::ImagePred>& test) {
    return eval::evaluate_agreement(ref, test, eval::MetricRules::Mmocr0).per_threshold.front().hmean;
  };
  const double fp32 = agreement(*reference, *reference);
  return {[&a, &model, val, reference, batch, agreement](const Graph& g) {
            std::vector<eval::ImagePred> test;
            for (const ImagePrediction& p : detect_images(model, g, val, a.runtime, batch).predictions)
              test.push_back({p.polygons, p.scores});
            return agreement(*reference, test);
          },
          fp32};
}

// The leave-one-out table: `limit` rows (0 = all), most sensitive first.
void print_sensitivity(const quant::SensitivityResult& r, size_t n, const char* what, size_t limit) {
  fmt::print("\nlayer sensitivity on {} {} images (graph output SQNR vs FP32, output channels weighted equally, "
             "when only this layer is FP32; all INT8: {:.2f} dB):\n", n, what, r.all_int8_sqnr_db);
  fmt::print("  {:<34} {:>14} {:>9}\n", "layer", "output SQNR dB", "gain dB");
  const size_t shown = limit == 0 ? r.layers.size() : std::min(limit, r.layers.size());
  for (size_t i = 0; i < shown; ++i)
    fmt::print("  {:<34} {:>14.2f} {:>+9.2f}\n", r.layers[i].name, r.layers[i].output_sqnr_db, r.layers[i].gain_db);
  if (shown < r.layers.size()) fmt::print("  ... {} more (--sensitivity prints all)\n", r.layers.size() - shown);
}

// One ProgressBar per stage reported by the library.
class StageProgress {
 public:
  explicit StageProgress(bool enabled) : enabled_(enabled) {}
  quant::ProgressFn fn() {
    return [this](const char* stage, size_t done, size_t total) {
      if (stage != stage_) {
        if (bar_) bar_->finish();
        stage_ = stage;
        bar_ = std::make_unique<ProgressBar>(stage, static_cast<int64_t>(total), enabled_);
      }
      bar_->update(static_cast<int64_t>(done));
    };
  }
  void finish() {
    if (bar_) bar_->finish();
    bar_.reset();
    stage_.clear();
  }

 private:
  bool enabled_;
  std::string stage_;
  std::unique_ptr<ProgressBar> bar_;
};

// Why a Conv/ConvTranspose of the output graph is FP32.
std::string fp32_reason(const std::string& name, const QuantizeArgs& a, const quant::QuantOptions& qo) {
  if (quant::is_head_node(name, qo) && !a.int8_head)
    return "default for the head's last conv: its input map stays f32; --int8-head quantizes it";
  if (std::find(a.fp32_layers.begin(), a.fp32_layers.end(), name) != a.fp32_layers.end()) return "--fp32-layers";
  return "moved back by --max-drop";
}

// One line for --gptq, and the layers that kept RTN.
void print_gptq_summary(const quant::GptqResult& r, size_t images) {
  double rtn = 0, gptq = 0;
  size_t rounded = 0;
  int64_t changed = 0;
  std::vector<std::string> kept;
  for (const auto& l : r.layers) {
    if (!l.rounded) {
      kept.push_back(l.name + " (" + l.why_not + ")");
      continue;
    }
    ++rounded, rtn += l.rtn_error, gptq += l.gptq_error, changed += l.changed;
  }
  fmt::print("gptq          {} conv layers rounded on {} calibration images' inputs, {} weights differ from RTN; "
             "layer output error sum (w-q)^T H (w-q) {:.4g} -> {:.4g} ({:.2f}x)\n",
             rounded, images, changed, rtn, gptq, gptq > 0 ? rtn / gptq : 0.0);
  if (!kept.empty()) fmt::print("              RTN kept: {}\n", fmt::join(kept, ", "));
}

// --report-json: the diagnostics table plus the decisions, for `textq report`.
void write_quant_report(const QuantizeArgs& a, const Model& out, const quant::QuantOptions& qo, size_t calib_n,
                        size_t calib_available, size_t diag_n, const std::vector<quant::LayerDiag>& rows,
                        const std::vector<quant::LayerDiag>& val_rows, size_t val_n) {
  report::QuantSummary q;
  q.model_fp32 = a.model;
  q.model_int8 = a.output;
  q.method = a.method;
  q.percentile = a.percentile;
  q.calib_source = a.calib;
  q.calib_images = static_cast<int64_t>(calib_n);
  q.calib_available = static_cast<int64_t>(calib_available);
  q.seed = a.seed;
  q.diag_images = static_cast<int64_t>(diag_n);
  q.fp32_bytes = static_cast<int64_t>(std::filesystem::file_size(a.model));
  q.int8_bytes = static_cast<int64_t>(std::filesystem::file_size(a.output));
  for (const Node& n : out.graph.nodes) {
    if (n.op != OpKind::Conv && n.op != OpKind::ConvTranspose) continue;
    ++q.conv_nodes;
    q.int8_nodes += n.quant.enabled;
    if (!n.inputs.empty() && n.inputs[0] == out.graph.input && n.op == OpKind::Conv)
      q.stem_decision = n.name + (n.quant.enabled ? " is INT8 (s8 input; --fp32-layers " + n.name + " keeps it FP32)"
                                                  : " is FP32 (" + fp32_reason(n.name, a, qo) + ")");
  }
  for (const quant::LayerDiag& r : rows) {
    report::QuantLayer l;
    l.name = r.name;
    l.op = r.op;
    l.int8 = r.int8;
    l.src = r.src;
    l.dst = r.dst;
    l.out_min = r.out_min;
    l.out_max = r.out_max;
    l.threshold = r.threshold;
    l.sqnr_db = r.sqnr_db;
    l.cosine = r.cosine;
    l.samples = r.samples;
    l.channel_sqnr_db = r.channel_sqnr_db;
    if (!r.int8) l.fp32_reason = fp32_reason(r.name, a, qo);
    q.layers.push_back(std::move(l));
  }
  if (!val_rows.empty()) {
    q.val_images = static_cast<int64_t>(val_n);
    q.val_sqnr_db = val_rows.back().sqnr_db;
    q.val_cosine = val_rows.back().cosine;
    q.val_channel_sqnr_db = val_rows.back().channel_sqnr_db;
  }
  report::save_quant_summary(q, a.report_json);
}

// "; per output channel 27.5 32.6 ... dB": the all-element SQNR above is the
// largest channel's (TextSnake: the radius map), not the logits'.
std::string per_channel(const quant::LayerDiag& row) {
  if (row.channel_sqnr_db.size() < 2) return "";
  std::string s = "; per output channel";
  for (double v : row.channel_sqnr_db) s += fmt::format(" {:.1f}", v);
  return s + " dB";
}

const quant::LayerDiag* find_row(const std::vector<quant::LayerDiag>& rows, const std::string& name) {
  for (const auto& r : rows)
    if (r.name == name) return &r;
  return nullptr;
}

quant::CalibStatsFile merge_calib_stats_files(const std::vector<std::string>& paths, const std::string& model_path,
                                              const Model& model) {
  std::vector<quant::CalibStatsFile> files;
  for (const std::string& p : paths) files.push_back(quant::load_calib_stats(p));
  return quant::merge_calib_stats(files, paths, sha256_file(model_path), model.graph);
}

// --calib-stats-out: one machine's round of calibration statistics on its
// --calib images; no model is written. Round 1 (no --calib-stats-in): ranges.
// Round 2 (--calib-stats-in = every machine's round-1 file): histograms with
// the bins fixed by the merged ranges.
void write_calib_stats_round(const QuantizeArgs& a, const Model& model, const quant::CalibOptions& co,
                             const GlobalOptions& g) {
  if (a.calib.empty()) throw Error(ErrorKind::InvalidArgument, "--calib-stats-out needs --calib (this machine's images)");
  if (!a.output.empty())
    throw Error(ErrorKind::InvalidArgument, "--calib-stats-out writes statistics, not a model: drop -o (the merge with "
                                            "--calib-stats-in writes the model)");
  quant::CalibStatsFile f;
  f.model_sha256 = sha256_file(a.model);
  f.value_names = model.graph.value_names;
  f.images = quant::select_images(quant::list_images(a.calib, a.calib_root), a.num, a.seed);
  const quant::CalibInputs inputs = quant::image_inputs(f.images, model.preprocess, g.max_image_pixels);
  StageProgress progress(!g.quiet);
  if (a.calib_stats_in.empty()) {
    f.stats = quant::collect_ranges(model.graph, inputs, co, progress.fn());
  } else {
    if (!quant::method_needs_histogram(co.method))
      throw Error(ErrorKind::InvalidArgument, std::string("--method ") + quant::calib_method_name(co.method) +
                                                  " needs only the ranges round: merge its files with --calib-stats-in ... -o MODEL");
    const quant::CalibStatsFile ranges = merge_calib_stats_files(a.calib_stats_in, a.model, model);
    if (ranges.stats.has_histograms())
      throw Error(ErrorKind::InvalidArgument, "the histogram round takes the ranges files of round 1, not histogram files");
    f.stats = quant::collect_histograms(model.graph, inputs, ranges.stats, co, progress.fn());
    f.range_images = ranges.images;
    f.num_bins = co.num_bins;
  }
  progress.finish();
  quant::save_calib_stats(f, a.calib_stats_out);
  if (!g.quiet)
    fmt::print("calibration   {} of {} images: {} -> {}\n", f.stats.has_histograms() ? "histograms" : "ranges", f.images.size(),
               a.calib, a.calib_stats_out);
}

void run_quantize(const QuantizeArgs& a, const GlobalOptions& g) {
  Model model = load_model(a.model);
  require_fp32_model(model, a.model);
  {
    // Before calibration: every step below (statistics, diagnostics, fallback) sees the folded graph.
    const std::vector<FoldedPair> folded =
        fold_before_calibration(model.graph, !a.no_fold_head, a.fold_pointwise, a.int8_head, a.fp32_layers);
    const quant::QuantOptions head_rule;
    if (!g.quiet)
      for (const FoldedPair& f : folded)
        fmt::print("folded        {} into {} ({})\n", f.pointwise, f.producer,
                   quant::is_head_node(f.pointwise, head_rule) ? "the head, default; --no-fold-head keeps it a separate FP32 conv"
                                                               : "--fold-pointwise");
    if (folded.empty() && a.fold_pointwise && !g.quiet)
      fmt::print("folded        nothing: no linear conv feeds a 1x1 conv alone (--fold-pointwise)\n");
  }
  const quant::CalibMethod method = quant::calib_method_from_name(a.method);
  const BackendKind backend = parse_backend(a.runtime.backend);
  if (a.runtime.precision != "fp32")
    throw Error(ErrorKind::InvalidArgument, "--precision " + a.runtime.precision +
                                                ": quantize observes and scores the FP32 model; bf16 is a run-time choice "
                                                "of detect, eval and bench");

  if (a.max_drop && a.val.empty())
    throw Error(ErrorKind::InvalidArgument, "--max-drop needs --val SOURCE (the images the drop is measured on)");
  quant::CalibOptions co;
  co.method = method;
  co.percentile = a.percentile;
  co.backend = backend;
  co.threads = a.runtime.threads;
  if (!a.calib_stats_out.empty()) return write_calib_stats_round(a, model, co, g);
  if (a.output.empty()) throw Error(ErrorKind::InvalidArgument, "quantize needs -o MODEL_INT8");
  // --calib-stats-in alone: the table from every machine's statistics, no image is run here.
  const bool merged_stats = !a.calib_stats_in.empty();
  if (merged_stats && !a.calib.empty())
    throw Error(ErrorKind::InvalidArgument, "--calib-stats-in without --calib-stats-out merges statistics; it replaces --calib");
  if (a.equalize_dw && a.no_equalize_dw)
    throw Error(ErrorKind::InvalidArgument, "--equalize-dw and --no-equalize-dw contradict each other");
  if (merged_stats && (a.max_drop || a.sensitivity || a.bias_correction || a.gptq || a.nonneg_shift || a.equalize_dw))
    throw Error(ErrorKind::InvalidArgument,
                "--max-drop, --sensitivity, --bias-correction, --gptq, --nonneg-shift and --equalize-dw need --calib images; "
                "not with --calib-stats-in");
  if (!merged_stats && a.calib.empty()) throw Error(ErrorKind::InvalidArgument, "quantize needs --calib (or --calib-stats-in)");
  const quant::CalibStatsFile stats = merged_stats ? merge_calib_stats_files(a.calib_stats_in, a.model, model) : quant::CalibStatsFile{};
  const std::vector<std::string> all = merged_stats ? stats.images : quant::list_images(a.calib, a.calib_root);
  const std::vector<std::string> calib = merged_stats ? stats.images : quant::select_images(all, a.num, a.seed);
  if (!g.quiet && merged_stats)
    fmt::print("calibration   statistics of {} images from {} files, method {}\n", calib.size(), a.calib_stats_in.size(),
               quant::calib_method_name(method));
  else if (!g.quiet)
    fmt::print("calibration   {} of {} images from {} (seed {}), method {}\n", calib.size(), all.size(), a.calib, a.seed,
               quant::calib_method_name(method));
  std::vector<std::string> val;
  if (!a.val.empty()) {
    val = quant::list_images(a.val, a.val_root);
    const size_t overlap = quant::check_overlap(calib, val, a.allow_overlap);
    if (overlap && !g.quiet)
      fmt::print(stderr, "textq: warning: {} validation images are also calibration images (--allow-overlap)\n", overlap);
  }

  // Calibration (FP32 runs on the chosen backend). With merged statistics
  // there are no calibration inputs here (no diagnostics on them either).
  StageProgress progress(!g.quiet);
  const quant::CalibInputs inputs =
      merged_stats ? quant::CalibInputs{} : quant::image_inputs(calib, model.preprocess, g.max_image_pixels);
  // Exact FP32 rewrites before calibration (the rewritten values are what the
  // INT8 convs read); the rewritten graph is the FP32 reference from here on.
  const std::set<std::string> keep_fp32 = layers_kept_fp32(model.graph, a.fp32_layers, a.int8_head);
  // Depthwise equalization is on by default (exact, and PP-OCRv4's agreement
  // with FP32 rose from 0.872 to 0.935 with it; docs/quantization.md §9); it
  // needs the images' own ranges, so merged statistics go without it.
  const bool equalize = !a.no_equalize_dw && !merged_stats;
  if (merged_stats && !a.no_equalize_dw && !g.quiet && quant::has_equalizable_depthwise(model.graph, keep_fp32))
    fmt::print("equalize dw   off: merged --calib-stats-in statistics come from the graph as given (a run on the "
               "images with --no-equalize-dw makes the same model)\n");
  const ExactRewrites rewrites = apply_exact_rewrites(model.graph, inputs, keep_fp32, equalize, a.nonneg_shift,
                                                      backend, a.runtime.threads);
  if (equalize && (a.equalize_dw || rewrites.equalized_convs > 0) && !g.quiet)
    fmt::print("equalize dw   {} depthwise conv inputs, channels scaled by up to {:.1f}\n", rewrites.equalized_convs,
               rewrites.largest_factor);
  if (a.nonneg_shift && !g.quiet)
    fmt::print("nonneg shift  {} conv inputs after HardSwish shifted to >= 0 (u8), {} Pad nodes added\n",
               rewrites.shifted_convs, rewrites.pads_added);
  const quant::CalibrationTable table =
      merged_stats ? quant::table_from_stats(model.graph, stats.stats, co) : quant::calibrate(model.graph, inputs, co, progress.fn());
  progress.finish();
  if (!a.table.empty()) write_text_atomic(a.table, quant::format_calibration_table(table));

  quant::QuantOptions qo;
  qo.fp32_layers = a.fp32_layers;
  qo.int8_head = a.int8_head;
  if (a.gptq) {
    // Rounded once on the FP32 graph for every candidate layer; --max-drop and
    // --sensitivity then choose among layers that all use these integers.
    quant::GptqOptions go;
    go.backend = backend;
    go.threads = a.runtime.threads;
    quant::GptqResult gr = quant::gptq_round_weights(model.graph, inputs, keep_fp32, go, progress.fn());
    progress.finish();
    if (!g.quiet) print_gptq_summary(gr, inputs.count);
    qo.rounded_weights = std::make_shared<const std::map<std::string, quant::QuantizedWeight>>(std::move(gr.weights));
  }
  Model out = make_int8_model(model, table, qo);

  // Diagnostics: FP32 vs INT8 node outputs, both on the chosen backend.
  quant::DiagOptions dopt;
  dopt.fp32_backend = backend;
  dopt.int8_backend = backend;
  dopt.threads = a.runtime.threads;

  std::optional<quant::SensitivityResult> sens;
  // --max-drop chooses its moves on the selection half of --val (images 0, 2,
  // 4, ...) and must then hold on the confirmation half (1, 3, ...): on a
  // detection metric over a few images, moves chosen on the same images fit
  // their noise (docs/quantization.md §7).
  std::vector<std::string> select, confirm;
  for (size_t i = 0; i < val.size(); ++i) (i % 2 && a.max_drop ? confirm : select).push_back(val[i]);
  if (a.max_drop || a.sensitivity) {
    // Leave-one-out output SQNR on --diag-num images (validation images when
    // given: the ranking is for the images the drop is measured on).
    quant::CalibInputs sin = select.empty() ? inputs : quant::image_inputs(select, model.preprocess, g.max_image_pixels);
    sin.count = std::min(sin.count, static_cast<size_t>(std::max(1, a.diag_num)));
    sens = quant::leave_one_out_sensitivity(model.graph, table, qo, sin, dopt, progress.fn());
    progress.finish();
    if (!g.quiet) print_sensitivity(*sens, sin.count, select.empty() ? "calibration" : "validation", a.sensitivity ? 0 : 10);
  }
  if (a.max_drop) {
    const ValidationMetric vm = validation_metric(a, model, select, g);
    const quant::FallbackResult fb = quant::fallback_until_within(model.graph, table, qo, quant::fallback_order(*sens),
                                                                  *a.max_drop, a.max_fallback, vm.metric, vm.fp32);
    if (!g.quiet) {
      const char* what = std::filesystem::path(a.val).extension() == ".json" ? "hmean" : "agreement with FP32";
      fmt::print("\nFP32 fallback (--max-drop {}): {} on the {} selection images of --val (0, 2, 4, ...), FP32 {:.4f}\n",
                 *a.max_drop, what, select.size(), fb.fp32_metric);
      for (const auto& st : fb.steps)
        fmt::print("  {:<40} {:.4f}  (drop {:+.4f}){}\n", st.layer.empty() ? "all INT8" : "+ FP32 " + st.layer, st.metric,
                   fb.fp32_metric - st.metric, st.layer.empty() ? "" : st.kept ? "  kept" : "  undone (no gain)");
    }
    if (!fb.within)
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("--max-drop {}: the drop is still {:.4f} after moving {} layer(s) back to FP32 ({} tried, "
                              "--max-fallback {}); allow more moves or a larger drop",
                              *a.max_drop, fb.fp32_metric - fb.metric, fb.moved, fb.steps.size() - 1, a.max_fallback));
    if (confirm.empty()) {
      if (!g.quiet)
        fmt::print("  not confirmed: one validation image, none left to confirm the drop on (give --val more images)\n");
    } else {
      const ValidationMetric cm = validation_metric(a, model, confirm, g);
      const double cf = cm.fp32 ? *cm.fp32 : cm.metric(model.graph);
      const double ci = cm.metric(fb.graph);
      if (!g.quiet)
        fmt::print("  confirmation on the other {} images: FP32 {:.4f}, this graph {:.4f} (drop {:+.4f})\n", confirm.size(), cf,
                   ci, cf - ci);
      if (cf - ci > *a.max_drop)
        throw Error(ErrorKind::InvalidArgument,
                    fmt::format("--max-drop {}: the drop is {:.4f} on the {} selection images but {:.4f} on the {} "
                                "confirmation images, so the {} move(s) did not generalise; allow a larger drop or give "
                                "--val more images",
                                *a.max_drop, fb.fp32_metric - fb.metric, select.size(), cf - ci, confirm.size(), fb.moved));
    }
    out.graph = fb.graph;
    qo.fp32_layers = fb.fp32_layers;
  }
  if (a.bias_correction) {
    // On the final set of INT8 layers (after any --max-drop moves): each
    // correction depends on every INT8 layer upstream of it.
    quant::BiasCorrectionOptions bo;
    bo.backend = backend;
    bo.threads = a.runtime.threads;
    std::vector<quant::LayerBiasShift> shifts;
    out.graph = quant::correct_biases(model.graph, out.graph, inputs, bo, progress.fn(), &shifts);
    progress.finish();
    if (!g.quiet) {
      double worst = 0;
      std::string worst_name;
      for (const auto& s : shifts)
        if (s.max_abs_shift >= worst) worst = s.max_abs_shift, worst_name = s.name;
      fmt::print("bias          corrected on {} calibration images, {} INT8 layers (largest shift {:.4g}, {})\n",
                 inputs.count, shifts.size(), worst, worst_name);
    }
  }
  std::vector<quant::LayerDiag> rows;
  if (a.diag_num > 0 && inputs.count > 0) {
    quant::CalibInputs sub = inputs;
    sub.count = std::min(inputs.count, static_cast<size_t>(a.diag_num));
    rows = quant::compare_layers(model.graph, out.graph, table, sub, dopt, progress.fn());
    progress.finish();
    if (!g.quiet) {
      fmt::print("\nper-layer diagnostics on {} calibration images (INT8 graph vs FP32 graph, node outputs):\n{}",
                 sub.count, quant::format_layer_table(rows));
    }
  }
  std::vector<quant::LayerDiag> val_rows;
  if (!val.empty()) {
    const quant::CalibInputs vin = quant::image_inputs(val, model.preprocess, g.max_image_pixels);
    val_rows = quant::compare_layers(model.graph, out.graph, table, vin, dopt, progress.fn());
    progress.finish();
  }

  save_model(out, a.output);
  if (!a.report_json.empty())
    write_quant_report(a, out, qo, calib.size(), all.size(), std::min(inputs.count, static_cast<size_t>(a.diag_num)), rows,
                       val_rows, val.size());

  if (g.quiet) return;
  int n_int8 = 0, n_conv = 0;
  std::string kept;
  for (const Node& n : out.graph.nodes) {
    if (n.op != OpKind::Conv && n.op != OpKind::ConvTranspose) continue;
    ++n_conv;
    if (n.quant.enabled) {
      ++n_int8;
      continue;
    }
    kept += fmt::format("\n  {:<28} FP32 ({})", n.name, fp32_reason(n.name, a, qo));
  }
  fmt::print("\n{} -> {}\n", a.model, a.output);
  fmt::print("  INT8 nodes    {} of {} Conv/ConvTranspose (s8 per-channel weights; activations u8 after ReLU, s8 otherwise)",
             n_int8, n_conv);
  fmt::print("{}\n", kept);
  for (const Node& n : out.graph.nodes) {
    if (n.inputs.empty() || n.inputs[0] != out.graph.input || n.op != OpKind::Conv) continue;
    const quant::LayerDiag* r = find_row(rows, n.name);
    fmt::print("  stem          {} {}{}\n", n.name,
               n.quant.enabled ? "INT8 (s8 input; default: keeping it FP32 changed the output SQNR by -0.1..+0.3 dB on the "
                                 "fixtures, noise, for ~1.8% of the MACs; --fp32-layers " + n.name + " keeps it FP32)"
                               : "FP32 (" + fp32_reason(n.name, a, qo) + ")",
               r && n.quant.enabled ? fmt::format(", its output SQNR {:.1f} dB", r->sqnr_db) : "");
  }
  if (!rows.empty())
    fmt::print("  output        SQNR {:.2f} dB, cosine {:.6f} vs FP32 on {} calibration images{}\n", rows.back().sqnr_db,
               rows.back().cosine, std::min(calib.size(), static_cast<size_t>(a.diag_num)), per_channel(rows.back()));
  if (!val_rows.empty())
    fmt::print("  validation    SQNR {:.2f} dB, cosine {:.6f} vs FP32 on {} validation images{}\n", val_rows.back().sqnr_db,
               val_rows.back().cosine, val.size(), per_channel(val_rows.back()));
  fmt::print("  size          {:.2f} MB (FP32 {:.2f} MB)\n", std::filesystem::file_size(a.output) / 1e6,
             std::filesystem::file_size(a.model) / 1e6);
}

}  // namespace

void register_quantize(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<QuantizeArgs>();
  CLI::App* cmd = app.add_subcommand("quantize", "Post-training INT8 quantization of a textq model (calibrated on images)");
  cmd->add_option("model", a->model, "FP32 textq model (from `textq convert`)")->required();
  cmd->add_option("--calib", a->calib,
                  "Calibration images: a folder, an MMOCR annotation json (+ --calib-root), or a list file (.txt, one "
                  "image path per line)");
  cmd->add_option("--calib-stats-out", a->calib_stats_out,
                  "Calibration on several machines: write this machine's statistics of its --calib images here (round "
                  "1: ranges; round 2, with --calib-stats-in = all round-1 files: histograms) instead of a model");
  cmd->add_option("--calib-stats-in", a->calib_stats_in,
                  "Statistics files of every machine: with --calib-stats-out, the ranges of round 1; alone, the files "
                  "to merge into the calibration table (ranges for minmax, histograms otherwise) and quantize with");
  cmd->add_option("--calib-root", a->calib_root, "Image root for an annotation json (default: the json's folder)");
  cmd->add_option("-o,--output", a->output, "Output INT8 model file (required unless --calib-stats-out)");
  cmd->add_option("--method", a->method, "Threshold method: mse (histogram MSE), kl (2048-bin KL), minmax, percentile")
      ->check(CLI::IsMember({"kl", "minmax", "percentile", "mse"}))
      ->capture_default_str();
  cmd->add_option("--percentile", a->percentile, "Percentile of |x| for --method percentile")
      ->check(CLI::Range(1e-6, 100.0))
      ->capture_default_str();
  cmd->add_option("--num", a->num, "Calibration images to use (0 = all)")->check(CLI::Range(0, 1000000))->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed of the image selection")->capture_default_str();
  cmd->add_option("--fp32-layers", a->fp32_layers, "Comma-separated node names to keep FP32")->delimiter(',');
  cmd->add_flag("--int8-head", a->int8_head, "Quantize the head's last conv too (s8 input, f32 output)");
  cmd->add_flag("--no-fold-head", a->no_fold_head,
                "Keep the head's 1x1 conv a separate FP32 conv. By default it is folded into the linear conv/deconv "
                "that alone feeds it (TextSnake: out_conv into neck.up_block0.deconv, one INT8 deconv with an f32 "
                "output; the 32-channel full-resolution map is never made); --int8-head or naming the head in "
                "--fp32-layers also keeps it");
  cmd->add_flag("--fold-pointwise", a->fold_pointwise,
                "Also fold every other 1x1 conv into the linear conv/deconv that alone feeds it when that costs no "
                "MACs (PP-OCRv4: p2o.Conv.37 into p2o.Conv.36)");
  cmd->add_option("--diag-num", a->diag_num, "Calibration images used for the per-layer diagnostics (0 = none)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  cmd->add_option("--val", a->val, "Validation images (folder or annotation json): checked for overlap, INT8-vs-FP32 reported");
  cmd->add_option("--max-drop", a->max_drop,
                  "With --val: move the most sensitive layers back to FP32 until the validation metric (hmean for an "
                  "annotation json, else agreement with FP32 detections) is within this of FP32's; the layers are "
                  "chosen on half of --val (images 0, 2, ...) and the drop must hold on the other half")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--max-fallback", a->max_fallback, "Most layers --max-drop may move back to FP32")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_flag("--sensitivity", a->sensitivity,
                "Rank every INT8 layer by the graph output SQNR gained when it alone stays FP32 (leave-one-out, on "
                "--diag-num images: validation images with --val) and print the table");
  cmd->add_flag("--bias-correction", a->bias_correction,
                "Correct each INT8 layer's bias, in graph order, by the mean per output channel of its INT8 output's "
                "difference from its FP32 output on the same calibration inputs (docs/quantization.md)");
  cmd->add_flag("--gptq", a->gptq,
                "Round each conv's s8 weights so that its output error on the calibration images' inputs is small "
                "(GPTQ: a column's rounding error is spread over the columns not yet rounded), not each weight's own "
                "error; same scales and file format (docs/quantization.md)");
  cmd->add_flag("--nonneg-shift", a->nonneg_shift,
                "Shift conv inputs made by Affine(HardSwish) to >= 0 (exact FP32 rewrite: the conv's bias compensates, "
                "a Pad node keeps its borders exact) so they quantize to u8 instead of half-used s8");
  cmd->add_flag("--equalize-dw", a->equalize_dw,
                "Scale each depthwise conv's input channels to the widest channel's range (seen on the calibration "
                "images) and its weights inversely: exact in FP32, one activation scale then fits every channel. "
                "The default wherever calibration images are run (not with --calib-stats-in)");
  cmd->add_flag("--no-equalize-dw", a->no_equalize_dw, "Quantize depthwise conv inputs as they are (see --equalize-dw)");
  cmd->add_option("--val-root", a->val_root, "Image root for a --val annotation json");
  cmd->add_flag("--allow-overlap", a->allow_overlap, "Allow validation images that are also calibration images");
  cmd->add_option("--table", a->table, "Also write the calibration table (text) to this file");
  cmd->add_option("--report-json", a->report_json,
                  "Also write the per-layer diagnostics and the decisions as json (for `textq report`)");
  add_runtime_options(*cmd, a->runtime, false);
  cmd->callback([a, &global] { run_quantize(*a, global); });
}

}  // namespace textq::cli
