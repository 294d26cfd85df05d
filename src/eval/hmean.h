// hmean-IoU text-detection metric, reproducing MMOCR 0.x `eval_hmean`
// (hmean-iou, threshold sweep) and MMOCR 1.x `HmeanIOUMetric` (defaults,
// strategy 'vanilla') number for number. See docs/evaluation.md.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace textq::eval {

enum class MetricRules {
  Mmocr0,  // score > 0.3 (double), raw coordinates, MultiPolygon repairs kept, ≥ 4 points
  Mmocr1,  // score >= 0.3 (float32 compare), float32 coordinates, convex hull repair, ≥ 3 points
};
const char* metric_rules_name(MetricRules rules);  // "mmocr0" / "mmocr1"

// Ground truth of one image, in the order the annotation file lists it.
// For Mmocr0 the caller has already applied IcdarDataset's GT filter (see
// datasets/metric_gt.h); `ignored` is `iscrowd` (0.x) or `ignore` (1.x).
struct ImageGt {
  std::string name;  // for error messages
  std::vector<std::vector<double>> polygons;  // x0,y0,x1,y1,...
  std::vector<bool> ignored;
};

struct ImagePred {
  std::vector<std::vector<double>> polygons;
  std::vector<double> scores;  // one per polygon
};

// The 7 score thresholds both versions sweep (NumPy arange values:
// 0.3, 0.4, 0.5, 0.6000000000000001, 0.7000000000000002, 0.8000000000000003,
// 0.9000000000000001).
const std::array<double, 7>& score_thresholds();

struct ThresholdResult {
  double threshold = 0;
  int64_t hits = 0, gt_count = 0, pred_count = 0;  // dataset sums
  double recall = 0, precision = 0, hmean = 0;
};

struct HmeanResult {
  MetricRules rules = MetricRules::Mmocr1;
  std::vector<ThresholdResult> per_threshold;  // ascending thresholds
  size_t best = 0;  // first threshold with the strictly greatest hmean
  const ThresholdResult& best_result() const { return per_threshold[best]; }
};

// MMOCR's compute_hmean on dataset totals (same operation order, double).
void compute_hmean(int64_t hits, int64_t gt_count, int64_t pred_count, double* recall, double* precision,
                   double* hmean);

// gts[i] and preds[i] describe the same image (sizes must be equal). Throws
// textq::Error(InvalidArgument) for inputs MMOCR would reject (polygon too
// short or odd, scores count mismatch), naming the image and polygon.
HmeanResult evaluate_hmean(const std::vector<ImageGt>& gts, const std::vector<ImagePred>& preds,
                           MetricRules rules);

// Fills recall/precision/hmean of every threshold from its hits, gt_count and
// pred_count, and picks `best`: the last step of evaluate_hmean, shared with
// the merge of sharded evaluations (whose counts are sums over the shards).
void finalize_hmean(HmeanResult* result);

// MMOCR's log lines, one per threshold ("thr 0.30, recall: 0.571, ..." for
// 0.x, "prediction score threshold: 0.30, recall: 0.7143, ..." for 1.x),
// followed by a "best:" line with the counts.
std::string format_hmean_table(const HmeanResult& result);

// What `textq eval` prints on stdout for a scored dataset: the
// "Evaluating hmean-iou..." header and format_hmean_table. The CLI, the merge
// of shards, the C API and the Python module all print this one text.
std::string format_eval_report(const HmeanResult& result);

}  // namespace textq::eval
