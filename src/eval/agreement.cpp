#include "eval/agreement.h"

#include "textq/error.h"

namespace textq::eval {

namespace {

// The same "kept at threshold" test the metric applies to predictions.
bool kept(double score, double thr, MetricRules rules) {
  if (rules == MetricRules::Mmocr0) return score > thr;
  return static_cast<float>(score) >= static_cast<float>(thr);
}

}  // namespace

HmeanResult evaluate_agreement(const std::vector<ImagePred>& ref, const std::vector<ImagePred>& test, MetricRules rules) {
  if (ref.size() != test.size())
    throw Error(ErrorKind::InvalidArgument, "agreement needs the same images on both sides (" + std::to_string(ref.size()) +
                                                " vs " + std::to_string(test.size()) + ")");
  HmeanResult out;
  out.rules = rules;
  const auto& thresholds = score_thresholds();
  for (size_t t = 0; t < thresholds.size(); ++t) {
    std::vector<ImageGt> gts(ref.size());
    for (size_t i = 0; i < ref.size(); ++i) {
      if (ref[i].scores.size() != ref[i].polygons.size())
        throw Error(ErrorKind::InvalidArgument, "reference image " + std::to_string(i) + ": scores and polygons differ in count");
      gts[i].name = "reference image " + std::to_string(i);
      for (size_t k = 0; k < ref[i].polygons.size(); ++k)
        if (kept(ref[i].scores[k], thresholds[t], rules)) {
          gts[i].polygons.push_back(ref[i].polygons[k]);
          gts[i].ignored.push_back(false);
        }
    }
    // The sweep scores every threshold; only row t uses this threshold's GT.
    out.per_threshold.push_back(evaluate_hmean(gts, test, rules).per_threshold[t]);
  }
  // Rows where neither side keeps anything agree trivially (MMOCR scores them
  // 1.0); they cannot be the best row unless every row is like that.
  auto empty = [](const ThresholdResult& r) { return r.gt_count == 0 && r.pred_count == 0; };
  out.best = 0;
  for (size_t t = 1; t < out.per_threshold.size(); ++t) {
    const ThresholdResult &cur = out.per_threshold[t], &best = out.per_threshold[out.best];
    if (empty(cur)) continue;
    if (empty(best) || cur.hmean > best.hmean) out.best = t;
  }
  return out;
}

}  // namespace textq::eval
