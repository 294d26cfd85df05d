// textq eval: hmean-IoU of predictions against an MMOCR annotation file,
// computed exactly as MMOCR 0.x (--metric mmocr0) or 1.x (--metric mmocr1).
//   textq eval --preds PREDS.json --ann ANN.json [--metric mmocr0|mmocr1] [--report-json FILE]
//   textq eval --model MODEL --img-root DIR --ann ANN.json ...   (runs detection first)
//   textq eval ... --shard I/N -o part_I.json                    (one shard's exact counts)
//   textq eval --merge part_*.json                               (the single run's table)
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/eval_shard.h"
#include "api/scoring.h"
#include "commands.h"
#include "importers/pytorch/state_dict.h"
#include "core/file_util.h"
#include "datasets/mmocr_json.h"
#include "eval/agreement.h"
#include "eval/hmean.h"
#include "formats/predictions.h"
#include "runtime/system_info.h"
#include "textq/error.h"

#include "detect_pipeline.h"

namespace textq::cli {

namespace {

struct EvalOptions {
  std::string preds, ann, metric = "mmocr0", report_json, model, img_root, save_preds, ref_preds, shard;
  std::vector<std::string> merge;
  DatasetDetectOptions detect;
};

// detect_seconds < 0: predictions were loaded, not computed.
void write_report(const std::string& path, const EvalOptions& o, const std::string& ann_name, const std::string& preds_name,
                  const eval::HmeanResult& r, size_t n_images, double detect_seconds) {
  nlohmann::ordered_json j;
  j["metric"] = eval::metric_rules_name(r.rules);
  j["annotations"] = ann_name;
  j["predictions"] = preds_name;
  j["images"] = n_images;
  if (detect_seconds >= 0) {
    // Whole pipeline per image: read, preprocess, network, decode (decode overlapped).
    j["detect_seconds"] = detect_seconds;
    j["ms_per_image"] = n_images ? 1000.0 * detect_seconds / static_cast<double>(n_images) : 0.0;
    j["images_per_second"] = detect_seconds > 0 ? static_cast<double>(n_images) / detect_seconds : 0.0;
    j["threads"] = effective_threads(o.detect.runtime.threads);
    j["backend"] = o.detect.runtime.backend;
  }
  auto row = [](const eval::ThresholdResult& t) {
    return nlohmann::ordered_json{{"threshold", t.threshold}, {"recall", t.recall},    {"precision", t.precision},
                                  {"hmean", t.hmean},         {"matched", t.hits},     {"gt", t.gt_count},
                                  {"det", t.pred_count}};
  };
  j["thresholds"] = nlohmann::ordered_json::array();
  for (const auto& t : r.per_threshold) j["thresholds"].push_back(row(t));
  j["best"] = row(r.best_result());
  write_text_atomic(path, j.dump(2) + "\n");
}

void run_eval(const EvalOptions& o, const GlobalOptions& global) {
  const eval::MetricRules rules = metric_rules_from_name(o.metric);
  const datasets::Dataset ann = datasets::read_annotation_json(o.ann);
  PredictionsFile preds;
  std::string preds_name = o.preds;
  double detect_seconds = -1;
  PipelineTiming timing;
  if (!o.model.empty()) {
    const auto t0 = std::chrono::steady_clock::now();
    preds = run_detection_over_dataset(o.model, o.img_root, ann, global, o.detect, &timing);
    detect_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    preds_name = o.model;
    if (!o.save_preds.empty()) save_predictions(preds, o.save_preds);
  } else {
    preds = load_predictions(o.preds);
  }
  size_t missing = 0;
  const eval::HmeanResult r = score_predictions(preds, preds_name, ann, o.ann, rules, &missing);
  if (missing && !global.quiet)
    std::fprintf(stderr, "note: %zu of %zu annotated images have no entry in %s (scored as no detections)\n", missing,
                 ann.images.size(), preds_name.c_str());
  std::fputs(eval::format_eval_report(r).c_str(), stdout);
  // Timing goes to stderr (even with -q: it is what the run measured), so that
  // stdout is the metric table alone and compares byte for byte across runs.
  if (detect_seconds >= 0 && !preds.predictions.empty()) {
    const double n = static_cast<double>(preds.predictions.size());
    std::fprintf(stderr, "detection: %zu images in %.1f s (%.0f ms/image, %.2f images/s; %s backend, %d threads)\n",
                preds.predictions.size(), detect_seconds, 1000.0 * detect_seconds / n, n / detect_seconds,
                o.detect.runtime.backend.c_str(), effective_threads(o.detect.runtime.threads));
    if (timing.images > 0)
      std::fprintf(stderr, "pipeline (images 2..%zu): %.2f images/s end to end, network stage %.0f ms/image (%.2f images/s): "
                  "%.3f of the network-bound rate\n",
                  timing.images + 1, timing.images_per_s(), timing.network_ms / timing.images,
                  timing.network_images_per_s(), timing.images_per_s() / timing.network_images_per_s());
  }
  if (!o.report_json.empty()) write_report(o.report_json, o, o.ann, preds_name, r, ann.images.size(), detect_seconds);
}

// Runtime options that change detections, recorded in eval parts so that
// parts made with different settings do not merge.
std::string runtime_settings(const RuntimeOptions& r) {
  std::string s = "backend=" + r.backend;
  if (r.mmocr) s += " mmocr=" + std::to_string(*r.mmocr);
  if (r.min_center_region_confidence) s += " min_center_conf=" + std::to_string(*r.min_center_region_confidence);
  if (r.min_center_area) s += " min_center_area=" + std::to_string(*r.min_center_area);
  if (r.disk_overlap_thr) s += " disk_overlap=" + std::to_string(*r.disk_overlap_thr);
  if (r.radius_shrink_ratio) s += " radius_shrink=" + std::to_string(*r.radius_shrink_ratio);
  if (r.max_centralize_steps) s += " max_centralize_steps=" + std::to_string(*r.max_centralize_steps);
  return s;
}

// --shard I/N -o PART: scores one block of the annotated images (detecting
// only those with --model) and writes its counts and predictions.
void run_eval_shard(const EvalOptions& o, const GlobalOptions& global) {
  const ShardSpec shard = parse_shard(o.shard);
  metric_rules_from_name(o.metric);
  const datasets::Dataset ann = datasets::read_annotation_json(o.ann);
  EvalPartIdentity id;
  id.metric = o.metric;
  id.source_kind = o.model.empty() ? "preds" : "model";
  id.source_path = o.model.empty() ? o.preds : o.model;
  id.source_sha256 = sha256_file(id.source_path);
  id.settings = o.model.empty() ? "" : runtime_settings(o.detect.runtime);
  id.ann_path = o.ann;
  id.ann_sha256 = sha256_file(o.ann);
  const PredictionsFile preds = o.model.empty()
                                    ? load_predictions(o.preds)
                                    : run_detection_over_dataset(o.model, o.img_root, shard_dataset(ann, shard), global, o.detect);
  const EvalPart part = make_eval_part(id, shard, ann, preds);
  save_eval_part(part, o.save_preds);
  if (!global.quiet)
    std::fprintf(stderr, "shard %d/%d: images %s of %zu -> %s (merge all %d parts with eval --merge)\n", shard.index,
                 shard.count,
                 part.image_ids.empty() ? "none"
                                        : (std::to_string(part.image_ids.front()) + ".." + std::to_string(part.image_ids.back())).c_str(),
                 ann.images.size(), o.save_preds.c_str(), shard.count);
}

// --merge PART...: the table of the whole set, from the parts' counts.
void run_eval_merge(const EvalOptions& o, const GlobalOptions& global) {
  const MergedEval m = merge_eval_part_files(o.merge);
  if (m.images_without_predictions && !global.quiet)
    std::fprintf(stderr, "note: %zu of %zu annotated images have no entry in %s (scored as no detections)\n",
                 m.images_without_predictions, m.identity.ann_images, m.identity.source_path.c_str());
  std::fputs(eval::format_eval_report(m.result).c_str(), stdout);
  if (!o.save_preds.empty()) save_predictions(m.predictions, o.save_preds);
  if (!o.report_json.empty())
    write_report(o.report_json, o, m.identity.ann_path, m.identity.source_path, m.result, m.identity.ann_images, -1);
}

// Labels-free comparison of two prediction files of the same images.
void run_agreement(const EvalOptions& o, const GlobalOptions& global) {
  const eval::MetricRules rules = o.metric == "mmocr1" ? eval::MetricRules::Mmocr1 : eval::MetricRules::Mmocr0;
  const PredictionsFile ref = load_predictions(o.ref_preds);
  const PredictionsFile test = load_predictions(o.preds);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < ref.predictions.size(); ++i)
    if (!index.emplace(datasets::path_basename(ref.predictions[i].img_path), i).second)
      throw Error(ErrorKind::InvalidFile, o.ref_preds + ": predictions[" + std::to_string(i) + "]: second entry for image " +
                                              ref.predictions[i].img_path);
  std::vector<eval::ImagePred> r(ref.predictions.size()), t(ref.predictions.size());
  std::vector<char> seen(ref.predictions.size(), 0);
  for (size_t i = 0; i < ref.predictions.size(); ++i) r[i] = {ref.predictions[i].polygons, ref.predictions[i].scores};
  for (size_t k = 0; k < test.predictions.size(); ++k) {
    const ImagePrediction& p = test.predictions[k];
    auto it = index.find(datasets::path_basename(p.img_path));
    if (it == index.end())
      throw Error(ErrorKind::InvalidArgument, o.preds + ": predictions[" + std::to_string(k) + "] (" + p.img_path +
                                                  "): image is not in " + o.ref_preds);
    if (seen[it->second]) throw Error(ErrorKind::InvalidFile, o.preds + ": second entry for image " + p.img_path);
    seen[it->second] = 1;
    t[it->second] = {p.polygons, p.scores};
  }
  for (size_t i = 0; i < seen.size(); ++i)
    if (!seen[i]) throw Error(ErrorKind::InvalidArgument, o.preds + ": no entry for image " + ref.predictions[i].img_path + " of " + o.ref_preds);
  const eval::HmeanResult res = eval::evaluate_agreement(r, t, rules);
  std::printf("Agreement of %s with %s (reference polygons kept at each threshold are the ground truth):\n", o.preds.c_str(),
              o.ref_preds.c_str());
  std::fputs(eval::format_hmean_table(res).c_str(), stdout);
  if (!o.report_json.empty()) write_report(o.report_json, o, o.ann, o.preds, res, ref.predictions.size(), -1);
  (void)global;
}

}  // namespace

void register_eval(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "hmean-IoU of text detections, exactly as MMOCR 0.x or 1.x computes it");
  auto* preds = cmd->add_option("--preds", o->preds, "predictions file written by `textq detect`");
  auto* model = cmd->add_option("--model", o->model, "run this textq model over the annotated images instead");
  cmd->add_option("--img-root", o->img_root, "image folder for --model (annotation img_path is relative to it)")
      ->needs(model);
  cmd->add_option("-o,--output", o->save_preds,
                  "with --model: also write the predictions file; with --shard: the part file to write; with --merge: "
                  "write the merged predictions");
  cmd->add_flag("--skip-missing", o->detect.skip_missing, "with --model: skip annotated images that are missing (and say how many)");
  cmd->add_option("--show", o->detect.show_dir, "with --model: draw each image's detections into DIR")->needs(model);
  add_runtime_options(*cmd, o->detect.runtime, true);
  auto* ann = cmd->add_option("--ann", o->ann, "annotations: MMOCR 1.x textdet_test.json or 0.x instances_test.json");
  cmd->add_option("--ref-preds", o->ref_preds,
                  "no labels: score --preds against these reference predictions (e.g. INT8 vs FP32), threshold by threshold")
      ->excludes(ann)
      ->excludes(model)
      ->needs(preds);
  cmd->add_option("--metric", o->metric,
                  "mmocr0 (eval_hmean: score > 0.3, MMOCR 0.x) or mmocr1 (HmeanIOUMetric) [default: mmocr0]");
  cmd->add_option("--report-json", o->report_json, "also write every threshold's numbers to this json file");
  preds->excludes(model);
  auto* shard = cmd->add_option("--shard", o->shard,
                                "I/N: score only shard I (0-based) of N contiguous blocks of the annotated images and write "
                                "its exact counts and predictions to -o PART (merge with --merge)");
  cmd->add_option("--merge", o->merge, "merge the part files of every shard: prints the table a single run prints")
      ->excludes(preds)
      ->excludes(model)
      ->excludes(ann)
      ->excludes(shard);
  cmd->callback([o, &global] {
    if (!o->merge.empty()) return run_eval_merge(*o, global);
    if (!o->save_preds.empty() && o->model.empty() && o->shard.empty())
      throw Error(ErrorKind::InvalidArgument, "-o needs --model, --shard or --merge");
    if (o->preds.empty() && o->model.empty()) throw Error(ErrorKind::InvalidArgument, "eval needs --preds or --model");
    if (o->ann.empty() && o->ref_preds.empty()) throw Error(ErrorKind::InvalidArgument, "eval needs --ann (or --ref-preds)");
    if (!o->ref_preds.empty() && !o->shard.empty())
      throw Error(ErrorKind::InvalidArgument, "--shard does not apply to --ref-preds");
    if (!o->ref_preds.empty()) return run_agreement(*o, global);
    if (!o->model.empty() && o->img_root.empty()) throw Error(ErrorKind::InvalidArgument, "--model needs --img-root");
    if (!o->shard.empty()) {
      if (o->save_preds.empty()) throw Error(ErrorKind::InvalidArgument, "--shard needs -o PART.json (the part file to write)");
      return run_eval_shard(*o, global);
    }
    run_eval(*o, global);
  });
}

}  // namespace textq::cli
