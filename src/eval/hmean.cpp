#include "eval/hmean.h"

#include <cstdio>

#include "eval/geos_polygon.h"
#include "textq/error.h"

namespace textq::eval {
namespace {

constexpr double kMatchIouThr = 0.5;       // strict >
constexpr double kIgnorePrecisionThr = 0.5;  // strict >
constexpr double kMinScore = 0.3;

// One polygon with everything the metric asks of it, built once per image.
struct PreparedPolygon {
  Geometry fixed;        // after poly_make_valid of the rules
  Envelope env;          // of `fixed`
  double raw_area = 0;   // Shapely area of the unrepaired polygon
};

std::string where(const ImageGt& gt, size_t image_index) {
  return "image " + std::to_string(image_index) + (gt.name.empty() ? "" : " (" + gt.name + ")");
}

PreparedPolygon prepare(GeosContext& ctx, const std::vector<double>& coords, MetricRules rules,
                        const std::string& what) {
  PreparedPolygon p;
  Geometry raw;
  if (rules == MetricRules::Mmocr1) {
    // poly2shapely: np.array(polygon, dtype=np.float32)
    std::vector<double> c(coords.size());
    for (size_t i = 0; i < coords.size(); ++i) c[i] = static_cast<double>(static_cast<float>(coords[i]));
    raw = make_shapely_polygon(ctx, c);
  } else {
    raw = make_shapely_polygon(ctx, coords);
  }
  p.raw_area = area(ctx, raw);
  if (is_valid(ctx, raw)) {
    p.fixed = std::move(raw);  // poly_make_valid returns it unchanged
  } else {
    p.fixed = rules == MetricRules::Mmocr1 ? make_valid_mmocr1(ctx, raw) : make_valid_mmocr0(ctx, raw);
    // MMOCR goes on only if the repaired polygon is valid (else it returns
    // None and fails on the division); GEOS repairs are valid, so this only
    // guards against a GEOS surprise.
    if (!is_valid(ctx, p.fixed))
      throw Error(ErrorKind::InvalidArgument, what + ": polygon is still invalid after buffer(0) repair");
  }
  p.env = envelope(ctx, p.fixed);
  return p;
}

// Intersection area as MMOCR computes it; disjoint envelopes give exactly 0
// in both versions, so GEOS is skipped for them.
double inter_area(GeosContext& ctx, const PreparedPolygon& a, const PreparedPolygon& b, MetricRules rules) {
  if (!a.env.overlaps(b.env)) return 0.0;
  if (rules == MetricRules::Mmocr1 && !intersects(ctx, a.fixed, b.fixed)) return 0.0;
  return intersection_area(ctx, a.fixed, b.fixed);
}

// poly_iou(a, b): intersection / union, 0 when the union is 0.
double iou(GeosContext& ctx, const PreparedPolygon& a, const PreparedPolygon& b, MetricRules rules) {
  const double inter = inter_area(ctx, a, b, rules);
  if (inter == 0.0) return 0.0;  // 0 / union, or zero_division = 0
  const double uni = union_area(ctx, a.fixed, b.fixed);
  return uni != 0 ? inter / uni : 0.0;
}

void check_length(const std::vector<double>& poly, size_t min_values, const std::string& what) {
  if (poly.size() % 2 != 0 || poly.size() < min_values)
    throw Error(ErrorKind::InvalidArgument,
                what + " has " + std::to_string(poly.size()) + " coordinates; MMOCR needs an even count >= " +
                    std::to_string(min_values));
}

// Per-image state the threshold sweep needs.
struct ImageState {
  int64_t care_gt = 0;
  // Candidate predictions (after the minimum-score filter), in original order.
  std::vector<double> scores;           // as compared (float32 values for 1.x)
  std::vector<char> ignored;            // hit an ignored GT
  std::vector<std::vector<double>> iou;  // [care gt][candidate]
};

ImageState prepare_image(GeosContext& ctx, const ImageGt& gt, const ImagePred& pred, size_t index,
                         MetricRules rules) {
  const std::string img = where(gt, index);
  if (gt.ignored.size() != gt.polygons.size())
    throw Error(ErrorKind::InvalidArgument, img + ": " + std::to_string(gt.polygons.size()) + " GT polygons but " +
                                                std::to_string(gt.ignored.size()) + " ignore flags");
  if (pred.scores.size() != pred.polygons.size())
    throw Error(ErrorKind::InvalidArgument, img + ": " + std::to_string(pred.polygons.size()) +
                                                " predicted polygons but " + std::to_string(pred.scores.size()) +
                                                " scores");
  const bool v1 = rules == MetricRules::Mmocr1;
  const size_t min_values = v1 ? 6 : 8;

  std::vector<size_t> cand;  // prediction indexes passing the minimum score
  for (size_t k = 0; k < pred.scores.size(); ++k) {
    const double s = pred.scores[k];
    const bool keep = v1 ? !(static_cast<float>(s) < static_cast<float>(kMinScore)) : s > kMinScore;
    if (keep) cand.push_back(k);
  }
  // Which polygons MMOCR converts (and so asserts on): 1.x all of them;
  // 0.x the first one (valid_boundary) and the kept ones.
  for (size_t k = 0; k < pred.polygons.size(); ++k) {
    const bool converted = v1 || k == 0;
    if (converted) check_length(pred.polygons[k], min_values, img + " prediction " + std::to_string(k));
  }
  for (size_t k : cand) check_length(pred.polygons[k], min_values, img + " prediction " + std::to_string(k));
  for (size_t g = 0; g < gt.polygons.size(); ++g)
    check_length(gt.polygons[g], min_values, img + " GT polygon " + std::to_string(g));

  std::vector<PreparedPolygon> gpoly;
  gpoly.reserve(gt.polygons.size());
  for (size_t g = 0; g < gt.polygons.size(); ++g)
    gpoly.push_back(prepare(ctx, gt.polygons[g], rules, img + " GT polygon " + std::to_string(g)));
  std::vector<PreparedPolygon> ppoly;
  ppoly.reserve(cand.size());
  for (size_t k : cand) ppoly.push_back(prepare(ctx, pred.polygons[k], rules, img + " prediction " + std::to_string(k)));

  ImageState st;
  std::vector<size_t> care_gt;
  std::vector<size_t> ign_gt;
  for (size_t g = 0; g < gt.polygons.size(); ++g) (gt.ignored[g] ? ign_gt : care_gt).push_back(g);
  st.care_gt = static_cast<int64_t>(care_gt.size());

  st.scores.resize(cand.size());
  st.ignored.assign(cand.size(), 0);
  for (size_t c = 0; c < cand.size(); ++c) {
    const double s = pred.scores[cand[c]];
    st.scores[c] = v1 ? static_cast<double>(static_cast<float>(s)) : s;
    for (size_t g : ign_gt) {
      double precision;
      if (v1) {  // poly_intersection(gt, pred) / (pred.area + 1e-5)
        precision = inter_area(ctx, gpoly[g], ppoly[c], rules) / (ppoly[c].raw_area + 1e-5);
      } else {   // poly_intersection(det, gt) / det.area, 0 if the area is 0
        const double a = ppoly[c].raw_area;
        precision = a == 0 ? 0.0 : inter_area(ctx, ppoly[c], gpoly[g], rules) / a;
      }
      if (precision > kIgnorePrecisionThr) {
        st.ignored[c] = 1;
        break;
      }
    }
  }
  st.iou.assign(care_gt.size(), std::vector<double>(cand.size(), 0.0));
  for (size_t i = 0; i < care_gt.size(); ++i) {
    for (size_t c = 0; c < cand.size(); ++c) {
      if (st.ignored[c]) continue;  // never matched, value unused
      const PreparedPolygon& g = gpoly[care_gt[i]];
      // 1.x: poly_iou(gt, pred); 0.x: poly_iou(det, gt)
      st.iou[i][c] = v1 ? iou(ctx, g, ppoly[c], rules) : iou(ctx, ppoly[c], g, rules);
    }
  }
  return st;
}

bool passes(double score, double thr, MetricRules rules) {
  if (rules == MetricRules::Mmocr1)  // not (scores < thr), compared in float32 (NumPy < 2)
    return !(static_cast<float>(score) < static_cast<float>(thr));
  return score >= thr;
}

}  // namespace

const char* metric_rules_name(MetricRules rules) {
  return rules == MetricRules::Mmocr0 ? "mmocr0" : "mmocr1";
}

const std::array<double, 7>& score_thresholds() {
  // The values NumPy's arange gives (0.x: np.arange(0.3, min(0.9 + 0.1, 1.0), 0.1);
  // 1.x: np.arange(0.3, 0.9, 0.1)), written out; checked against NumPy by the
  // golden generator (scripts/make_eval_goldens.py stores them).
  static const std::array<double, 7> thr = {0.3, 0.4, 0.5, 0.6000000000000001, 0.7000000000000002,
                                            0.8000000000000003, 0.9000000000000001};
  return thr;
}

void compute_hmean(int64_t hits, int64_t gt_count, int64_t pred_count, double* recall, double* precision,
                   double* hmean) {
  double r, p;
  if (gt_count == 0) {
    r = 1.0;
    p = pred_count > 0 ? 0.0 : 1.0;
  } else {
    r = static_cast<double>(hits) / static_cast<double>(gt_count);
    p = pred_count == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(pred_count);
  }
  const double denom = r + p;
  *recall = r;
  *precision = p;
  *hmean = denom == 0 ? 0.0 : 2.0 * p * r / denom;
}

HmeanResult evaluate_hmean(const std::vector<ImageGt>& gts, const std::vector<ImagePred>& preds,
                           MetricRules rules) {
  if (gts.size() != preds.size())
    throw Error(ErrorKind::InvalidArgument, "evaluate_hmean: " + std::to_string(gts.size()) +
                                                " ground-truth images but " + std::to_string(preds.size()) +
                                                " prediction images");
  const auto& thrs = score_thresholds();
  HmeanResult res;
  res.rules = rules;
  res.per_threshold.resize(thrs.size());
  for (size_t t = 0; t < thrs.size(); ++t) res.per_threshold[t].threshold = thrs[t];

  GeosContext ctx;
  std::vector<char> gt_hit, pred_hit;
  for (size_t i = 0; i < gts.size(); ++i) {
    const ImageState st = prepare_image(ctx, gts[i], preds[i], i, rules);
    const size_t n_cand = st.scores.size();
    for (size_t t = 0; t < thrs.size(); ++t) {
      ThresholdResult& tr = res.per_threshold[t];
      tr.gt_count += st.care_gt;
      gt_hit.assign(static_cast<size_t>(st.care_gt), 0);
      pred_hit.assign(n_cand, 0);
      for (size_t c = 0; c < n_cand; ++c)
        if (passes(st.scores[c], thrs[t], rules) && !st.ignored[c]) ++tr.pred_count;
      // Greedy one-to-one matching, GT-major, first come first matched.
      for (size_t g = 0; g < static_cast<size_t>(st.care_gt); ++g) {
        for (size_t c = 0; c < n_cand; ++c) {
          if (gt_hit[g] || pred_hit[c] || st.ignored[c] || !passes(st.scores[c], thrs[t], rules)) continue;
          if (st.iou[g][c] > kMatchIouThr) {
            gt_hit[g] = pred_hit[c] = 1;
            ++tr.hits;
          }
        }
      }
    }
  }
  finalize_hmean(&res);
  return res;
}

void finalize_hmean(HmeanResult* res) {
  double best_h = -1;
  for (size_t t = 0; t < res->per_threshold.size(); ++t) {
    ThresholdResult& tr = res->per_threshold[t];
    compute_hmean(tr.hits, tr.gt_count, tr.pred_count, &tr.recall, &tr.precision, &tr.hmean);
    if (tr.hmean > best_h) {
      best_h = tr.hmean;
      res->best = t;
    }
  }
}

std::string format_hmean_table(const HmeanResult& r) {
  std::string out;
  char line[256];
  const bool v1 = r.rules == MetricRules::Mmocr1;
  for (const ThresholdResult& t : r.per_threshold) {
    if (v1)
      std::snprintf(line, sizeof line,
                    "prediction score threshold: %.2f, recall: %.4f, precision: %.4f, hmean: %.4f\n", t.threshold,
                    t.recall, t.precision, t.hmean);
    else
      std::snprintf(line, sizeof line, "thr %.2f, recall: %.3f, precision: %.3f, hmean: %.3f\n", t.threshold,
                    t.recall, t.precision, t.hmean);
    out += line;
  }
  const ThresholdResult& b = r.best_result();
  std::snprintf(line, sizeof line,
                "best (%s): thr %.2f, recall: %.4f, precision: %.4f, hmean: %.4f (gt: %lld, det: %lld, matched: %lld)\n",
                metric_rules_name(r.rules), b.threshold, b.recall, b.precision, b.hmean,
                static_cast<long long>(b.gt_count), static_cast<long long>(b.pred_count),
                static_cast<long long>(b.hits));
  out += line;
  return out;
}

std::string format_eval_report(const HmeanResult& r) {
  return "Evaluating hmean-iou...\n" + format_hmean_table(r);
}

}  // namespace textq::eval
