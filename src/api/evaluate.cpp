#include "api/evaluate.h"

#include "api/scoring.h"
#include "datasets/mmocr_json.h"
#include "formats/predictions.h"

namespace textq {

eval::HmeanResult evaluate_prediction_file(const std::string& preds_path, const std::string& ann_path,
                                           const std::string& metric, size_t* images_without_predictions) {
  const eval::MetricRules rules = metric_rules_from_name(metric);
  const datasets::Dataset ann = datasets::read_annotation_json(ann_path);
  size_t missing = 0;
  const eval::HmeanResult r = score_predictions(load_predictions(preds_path), preds_path, ann, ann_path, rules, &missing);
  if (images_without_predictions) *images_without_predictions = missing;
  return r;
}

}  // namespace textq
