#include "api/scoring.h"

#include <map>

#include "datasets/metric_gt.h"
#include "textq/error.h"

namespace textq {

namespace {

// Pairs each annotated image with its predictions by file name (the basename
// of img_path on both sides); annotated images without an entry have no
// predictions (as in MMOCR's harness). A prediction for an image that is not
// annotated, or two entries for one image, is an error.
std::vector<eval::ImagePred> align_predictions(const PredictionsFile& preds, const std::string& preds_path,
                                               const datasets::Dataset& ann, const std::string& ann_path,
                                               std::vector<char>* seen) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < ann.images.size(); ++i) {
    const std::string name = datasets::path_basename(ann.images[i].img_path);
    if (!index.emplace(name, i).second)
      throw Error(ErrorKind::InvalidFile, ann_path + ": image " + std::to_string(i) + " (" + name +
                                              "): file name appears twice; predictions could not be matched");
  }
  std::vector<eval::ImagePred> out(ann.images.size());
  seen->assign(ann.images.size(), 0);
  for (size_t k = 0; k < preds.predictions.size(); ++k) {
    const ImagePrediction& p = preds.predictions[k];
    const std::string name = datasets::path_basename(p.img_path);
    auto it = index.find(name);
    if (it == index.end())
      throw Error(ErrorKind::InvalidArgument, preds_path + ": predictions[" + std::to_string(k) + "] (" + p.img_path +
                                                  "): image " + name + " is not in " + ann_path);
    if ((*seen)[it->second])
      throw Error(ErrorKind::InvalidFile, preds_path + ": predictions[" + std::to_string(k) + "] (" + p.img_path +
                                              "): second entry for image " + name);
    (*seen)[it->second] = 1;
    out[it->second].polygons = p.polygons;
    out[it->second].scores = p.scores;
  }
  return out;
}

}  // namespace

eval::HmeanResult score_predictions(const PredictionsFile& preds, const std::string& preds_path, const datasets::Dataset& ann,
                                    const std::string& ann_path, eval::MetricRules rules, size_t* images_without_predictions,
                                    const std::vector<size_t>* only) {
  std::vector<eval::ImageGt> gt = datasets::metric_ground_truth(ann, rules);
  std::vector<char> seen;
  std::vector<eval::ImagePred> aligned = align_predictions(preds, preds_path, ann, ann_path, &seen);
  *images_without_predictions = 0;
  if (!only) {
    for (char s : seen) *images_without_predictions += !s;
    return eval::evaluate_hmean(gt, aligned, rules);
  }
  std::vector<eval::ImageGt> gt_part;
  std::vector<eval::ImagePred> pred_part;
  for (size_t i : *only) {
    if (i >= ann.images.size())
      throw Error(ErrorKind::InvalidArgument, ann_path + ": image " + std::to_string(i) + " requested but the file has " +
                                                  std::to_string(ann.images.size()));
    *images_without_predictions += !seen[i];
    gt_part.push_back(std::move(gt[i]));
    pred_part.push_back(std::move(aligned[i]));
  }
  return eval::evaluate_hmean(gt_part, pred_part, rules);
}

eval::MetricRules metric_rules_from_name(const std::string& name) {
  if (name == "mmocr0") return eval::MetricRules::Mmocr0;
  if (name == "mmocr1") return eval::MetricRules::Mmocr1;
  throw Error(ErrorKind::InvalidArgument, "--metric must be mmocr0 or mmocr1, got " + name);
}

}  // namespace textq
