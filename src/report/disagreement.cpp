#include "report/disagreement.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "eval/geos_polygon.h"
#include "textq/error.h"

namespace textq::report {

std::vector<eval::ImagePred> align_predictions(const PredictionsFile& preds, const std::string& preds_path,
                                               const datasets::Dataset& ann, const std::string& ann_path) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < ann.images.size(); ++i) {
    const std::string name = datasets::path_basename(ann.images[i].img_path);
    if (!index.emplace(name, i).second)
      throw Error(ErrorKind::InvalidFile, ann_path + ": image " + std::to_string(i) + " (" + name + "): file name appears twice");
  }
  std::vector<eval::ImagePred> out(ann.images.size());
  std::vector<char> seen(ann.images.size(), 0);
  for (size_t k = 0; k < preds.predictions.size(); ++k) {
    const ImagePrediction& p = preds.predictions[k];
    const std::string name = datasets::path_basename(p.img_path);
    const auto it = index.find(name);
    const std::string where = preds_path + ": predictions[" + std::to_string(k) + "] (" + p.img_path + "): ";
    if (it == index.end()) throw Error(ErrorKind::InvalidFile, where + "image " + name + " is not in " + ann_path);
    if (seen[it->second]) throw Error(ErrorKind::InvalidFile, where + "second entry for image " + name);
    seen[it->second] = 1;
    out[it->second].polygons = p.polygons;
    out[it->second].scores = p.scores;
  }
  return out;
}

bool counted_at_threshold(double score, double thr, eval::MetricRules rules) {
  constexpr double kMinScore = 0.3;
  if (rules == eval::MetricRules::Mmocr1)
    return !(static_cast<float>(score) < static_cast<float>(kMinScore)) && !(static_cast<float>(score) < static_cast<float>(thr));
  return score > kMinScore && score >= thr;
}

namespace {

// A repaired polygon, or none when it is degenerate or GEOS cannot repair it
// (the metric itself reports such inputs; here they simply overlap nothing).
eval::Geometry repaired(eval::GeosContext& ctx, const std::vector<double>& xy) {
  if (xy.size() < 6 || xy.size() % 2) return {};
  try {
    return eval::make_valid_mmocr1(ctx, eval::make_shapely_polygon(ctx, xy));
  } catch (const Error&) {
    return {};
  }
}

double iou(eval::GeosContext& ctx, const eval::Geometry& a, const eval::Geometry& b) {
  if (!a || !b || !eval::envelope(ctx, a).overlaps(eval::envelope(ctx, b))) return 0.0;
  try {
    const double inter = eval::intersection_area(ctx, a, b);
    const double uni = eval::union_area(ctx, a, b);
    return uni > 0 && std::isfinite(inter / uni) ? inter / uni : 0.0;
  } catch (const Error&) {
    return 0.0;
  }
}

}  // namespace

double polygon_iou(const std::vector<double>& a, const std::vector<double>& b) {
  eval::GeosContext ctx;
  return iou(ctx, repaired(ctx, a), repaired(ctx, b));
}

int ModelOnImage::unmatched() const {
  return static_cast<int>(std::count(matched.begin(), matched.end(), false));
}

namespace {

ModelOnImage score_model(const eval::ImageGt& gt, const eval::ImagePred& pred, size_t thr, eval::MetricRules rules) {
  const eval::HmeanResult r = eval::evaluate_hmean({gt}, {pred}, rules);
  const eval::ThresholdResult& t = r.per_threshold.at(thr);
  ModelOnImage m;
  m.hmean = t.hmean;
  m.hits = t.hits;
  m.gt = t.gt_count;
  m.det = t.pred_count;
  for (size_t k = 0; k < pred.scores.size(); ++k)
    if (counted_at_threshold(pred.scores[k], t.threshold, rules)) m.kept.push_back(k);
  m.matched.assign(m.kept.size(), false);
  return m;
}

// One-to-one greedy matching, highest IoU first.
void match_models(const eval::ImagePred& pa, ModelOnImage& a, const eval::ImagePred& pb, ModelOnImage& b, double min_iou) {
  struct Pair {
    double iou;
    size_t i, j;
  };
  eval::GeosContext ctx;
  std::vector<eval::Geometry> ga, gb;
  for (size_t k : a.kept) ga.push_back(repaired(ctx, pa.polygons[k]));
  for (size_t k : b.kept) gb.push_back(repaired(ctx, pb.polygons[k]));
  std::vector<Pair> pairs;
  for (size_t i = 0; i < a.kept.size(); ++i)
    for (size_t j = 0; j < b.kept.size(); ++j) {
      const double v = iou(ctx, ga[i], gb[j]);
      if (v >= min_iou) pairs.push_back({v, i, j});
    }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& x, const Pair& y) {
    return x.iou != y.iou ? x.iou > y.iou : (x.i != y.i ? x.i < y.i : x.j < y.j);
  });
  for (const Pair& p : pairs) {
    if (a.matched[p.i] || b.matched[p.j]) continue;
    a.matched[p.i] = true;
    b.matched[p.j] = true;
  }
}

}  // namespace

std::vector<ImageComparison> compare_images(const std::vector<eval::ImageGt>& gts, const std::vector<eval::ImagePred>& fp32,
                                            const std::vector<eval::ImagePred>& int8, const CompareOptions& o) {
  if (fp32.size() != gts.size() || int8.size() != gts.size())
    throw Error(ErrorKind::InvalidArgument, "compare_images: " + std::to_string(gts.size()) + " annotated images but " +
                                                std::to_string(fp32.size()) + " FP32 and " + std::to_string(int8.size()) +
                                                " INT8 prediction entries");
  const size_t n_thr = eval::score_thresholds().size();
  if (o.fp32_threshold >= n_thr || o.int8_threshold >= n_thr)
    throw Error(ErrorKind::InvalidArgument, "compare_images: threshold index out of range");
  std::vector<ImageComparison> out(gts.size());
  for (size_t i = 0; i < gts.size(); ++i) {
    ImageComparison& c = out[i];
    c.image = i;
    c.name = gts[i].name;
    c.fp32 = score_model(gts[i], fp32[i], o.fp32_threshold, o.rules);
    c.int8 = score_model(gts[i], int8[i], o.int8_threshold, o.rules);
    match_models(fp32[i], c.fp32, int8[i], c.int8, o.match_iou);
  }
  return out;
}

bool more_disagreement(const ImageComparison& a, const ImageComparison& b) {
  // Rounded so that equal deltas reached by different float paths tie.
  const long long da = std::llround(std::fabs(a.hmean_delta()) * 1e9), db = std::llround(std::fabs(b.hmean_delta()) * 1e9);
  if (da != db) return da > db;
  if (a.unmatched() != b.unmatched()) return a.unmatched() > b.unmatched();
  if (a.fp32.hmean != b.fp32.hmean) return a.fp32.hmean < b.fp32.hmean;
  return a.image < b.image;
}

}  // namespace textq::report
