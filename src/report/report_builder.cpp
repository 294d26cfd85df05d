#include "report/report_builder.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "datasets/metric_gt.h"
#include "datasets/mmocr_json.h"
#include "report/image_panel.h"
#include "textdet/draw.h"
#include "textdet/image_io.h"
#include "textq/error.h"

namespace fs = std::filesystem;

namespace textq::report {

namespace {

int64_t file_size_of(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  if (ec) throw Error(ErrorKind::Io, "cannot open " + path + ": " + ec.message());
  return static_cast<int64_t>(n);
}

eval::MetricRules rules_of(const EvalSummary& e) {
  return e.metric == "mmocr0" ? eval::MetricRules::Mmocr0 : eval::MetricRules::Mmocr1;
}

// The eval json must describe this annotation file and these predictions:
// its best threshold row is recomputed from the predictions and compared.
size_t check_eval(const EvalSummary& e, const eval::HmeanResult& r, const std::string& preds_path, const std::string& ann_path,
                  size_t n_images) {
  if (e.images != static_cast<int64_t>(n_images))
    throw Error(ErrorKind::InvalidArgument, fmt::format("{}: {} images, but {} has {}: was it made with this annotation file?",
                                                        e.path, e.images, ann_path, n_images));
  const auto& thrs = eval::score_thresholds();
  if (e.thresholds.size() != thrs.size())
    throw Error(ErrorKind::InvalidFile, fmt::format("{}: key thresholds: {} rows, expected the metric's {}", e.path,
                                                    e.thresholds.size(), thrs.size()));
  const eval::ThresholdResult& b = r.best_result();
  if (std::fabs(b.hmean - e.best.hmean) > 1e-9 || b.hits != e.best.matched || b.pred_count != e.best.det ||
      b.gt_count != e.best.gt)
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("{}: best hmean {:.4f} (matched {}, det {}) but {} scores {:.4f} (matched {}, det {}) against {}: "
                            "were they made by the same run?",
                            e.path, e.best.hmean, e.best.matched, e.best.det, preds_path, b.hmean, b.hits, b.pred_count, ann_path));
  return r.best;
}

BenchSummary load_bench_checked(const std::string& path, const char* want_precision) {
  BenchSummary b = load_bench_summary(path);
  if (!b.precision.empty() && b.precision != want_precision)
    throw Error(ErrorKind::InvalidArgument, path + ": precision " + b.precision + ", expected " + want_precision +
                                                " (the bench files may be swapped)");
  return b;
}

std::vector<TextInstance> scaled_instances(const eval::ImagePred& pred, const ModelOnImage& m, bool matched, double scale) {
  std::vector<TextInstance> out;
  for (size_t k = 0; k < m.kept.size(); ++k) {
    if (m.matched[k] != matched) continue;
    TextInstance t;
    t.polygon = scale_polygon(pred.polygons[m.kept[k]], scale);
    t.score = pred.scores[m.kept[k]];
    out.push_back(std::move(t));
  }
  return out;
}

std::string detections_uri(const cv::Mat& base, const eval::ImagePred& pred, const ModelOnImage& m, double scale, int quality) {
  cv::Mat img = base.clone();
  draw_instances(img, scaled_instances(pred, m, true, scale), kMatchedColor);
  draw_instances(img, scaled_instances(pred, m, false, scale), kUnmatchedColor);  // on top: the differences
  return jpeg_data_uri(img, quality);
}

}  // namespace

ReportPage build_report_page(const ReportSources& src, const ReportOptions& opt) {
  if (src.bench_fp32.empty() != src.bench_int8.empty())
    throw Error(ErrorKind::InvalidArgument, "bench files go together: give both the FP32 and the INT8 bench json, or neither");
  ReportPage page;
  page.title = opt.title;
  page.annotation_path = src.ann;
  page.provenance = opt.provenance;

  page.fp32.label = "FP32";
  page.int8.label = "INT8";
  page.fp32.eval = load_eval_summary(src.eval_fp32);
  page.int8.eval = load_eval_summary(src.eval_int8);
  if (page.fp32.eval.metric != page.int8.eval.metric)
    throw Error(ErrorKind::InvalidArgument, src.eval_int8 + ": metric " + page.int8.eval.metric + " but " + src.eval_fp32 +
                                                " used " + page.fp32.eval.metric + "; evaluate both with the same --metric");
  page.fp32.model_path = src.model_fp32;
  page.int8.model_path = src.model_int8;
  if (!src.model_fp32.empty()) page.fp32.file_bytes = file_size_of(src.model_fp32);
  if (!src.model_int8.empty()) page.int8.file_bytes = file_size_of(src.model_int8);
  if (!src.bench_fp32.empty()) {
    page.fp32.bench = load_bench_checked(src.bench_fp32, "fp32");
    page.int8.bench = load_bench_checked(src.bench_int8, "int8");
    if (page.fp32.bench->input_shape != page.int8.bench->input_shape)
      throw Error(ErrorKind::InvalidArgument, src.bench_int8 + ": input shape differs from " + src.bench_fp32 +
                                                  "'s; bench both models at the same --size");
    page.provenance.isa = page.int8.bench->isa;
    page.provenance.threads = page.int8.bench->threads;
    page.provenance.timing_note = "timings from the bench files";
  }
  if (!src.quant.empty()) {
    page.quant = load_quant_summary(src.quant);
    if (page.fp32.file_bytes < 0 && page.quant->fp32_bytes > 0) page.fp32.file_bytes = page.quant->fp32_bytes;
    if (page.int8.file_bytes < 0 && page.quant->int8_bytes > 0) page.int8.file_bytes = page.quant->int8_bytes;
    if (page.fp32.model_path.empty()) page.fp32.model_path = page.quant->model_fp32;
    if (page.int8.model_path.empty()) page.int8.model_path = page.quant->model_int8;
  }

  const datasets::Dataset ann = datasets::read_annotation_json(src.ann);
  const eval::MetricRules rules = rules_of(page.fp32.eval);
  const std::vector<eval::ImageGt> gts = datasets::metric_ground_truth(ann, rules);
  const auto fp32 = align_predictions(load_predictions(src.preds_fp32), src.preds_fp32, ann, src.ann);
  const auto int8 = align_predictions(load_predictions(src.preds_int8), src.preds_int8, ann, src.ann);

  CompareOptions co;
  co.rules = rules;
  co.fp32_threshold = check_eval(page.fp32.eval, eval::evaluate_hmean(gts, fp32, rules), src.preds_fp32, src.ann, ann.images.size());
  co.int8_threshold = check_eval(page.int8.eval, eval::evaluate_hmean(gts, int8, rules), src.preds_int8, src.ann, ann.images.size());
  std::vector<ImageComparison> cmp = compare_images(gts, fp32, int8, co);
  std::sort(cmp.begin(), cmp.end(), more_disagreement);
  page.images_total = cmp.size();
  for (const ImageComparison& c : cmp) page.images_differing += std::fabs(c.hmean_delta()) > 1e-12 || c.unmatched() > 0;

  const size_t shown = std::min(opt.max_images, cmp.size());
  for (size_t i = 0; i < shown; ++i) {
    ImageRow row;
    row.cmp = cmp[i];
    const datasets::ImageAnnotation& a = ann.images[row.cmp.image];
    const std::string path = (fs::path(src.img_root) / a.img_path).string();
    const cv::Mat full = load_image_bgr(path, opt.max_image_pixels);
    row.width = full.cols;
    row.height = full.rows;
    double scale = 1;
    const cv::Mat base = fit_image(full, opt.image_max_side, &scale);
    for (const auto& t : a.instances) (t.ignore ? row.gt_ignored : row.gt_care)++;
    cv::Mat gt = base.clone();
    draw_ground_truth(gt, a.instances, scale);
    row.gt_uri = jpeg_data_uri(gt, opt.jpeg_quality);
    row.fp32_uri = detections_uri(base, fp32[row.cmp.image], row.cmp.fp32, scale, opt.jpeg_quality);
    row.int8_uri = detections_uri(base, int8[row.cmp.image], row.cmp.int8, scale, opt.jpeg_quality);
    page.images.push_back(std::move(row));
  }
  return page;
}

}  // namespace textq::report
