// hmean-iou against MMOCR's own metric: every case of
// tests/data/eval/hmean_cases.json (made by scripts/make_eval_goldens.py with
// MMOCR 0.6.1 eval_hmean and 1.0.1 HmeanIOUMetric) must give the same hits,
// counts and bit-identical recall / precision / hmean at every threshold.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "datasets/metric_gt.h"
#include "datasets/mmocr_json.h"
#include "datasets/text_labels.h"
#include "eval/hmean.h"
#include "textq/error.h"

namespace {

using nlohmann::json;
using textq::datasets::Dataset;
using textq::eval::MetricRules;

const std::string kDir = "tests/data/eval/";

const json& cases_doc() {
  static const json doc = json::parse(textq::read_file_text(kDir + "hmean_cases.json"));
  return doc;
}

const Dataset& source(const std::string& name) {
  static std::map<std::string, Dataset> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  Dataset ds;
  if (name == "ctw1500") {
    ds = textq::datasets::read_mmocr1_json(kDir + "ctw1500_textdet_test.json");
  } else if (name == "icdar2015") {
    ds = textq::datasets::read_mmocr1_json(kDir + "icdar2015_textdet_test.json");
  } else if (name == "totaltext") {
    for (const char* n : {"img3", "img564", "img623"}) {
      const std::string f = kDir + "totaltext/poly_gt_" + n + ".txt";
      textq::datasets::ImageAnnotation im;
      im.img_path = std::string("imgs/") + n + ".jpg";
      im.instances = textq::datasets::parse_totaltext_txt(textq::read_file_text(f), f);
      ds.images.push_back(im);
    }
  } else if (name == "ctw1500-mini-0x") {
    ds = textq::datasets::read_mmocr0_json("tests/data/datasets/ctw1500-mini/instances_test.json");
  } else if (name == "ctw1500-mini-1x") {
    ds = textq::datasets::read_mmocr1_json("tests/data/datasets/ctw1500-mini/textdet_test.json");
  }
  return cache.emplace(name, std::move(ds)).first->second;
}

struct CaseInput {
  std::vector<textq::eval::ImageGt> gt;
  std::vector<textq::eval::ImagePred> preds;
};

CaseInput build(const json& c, MetricRules rules) {
  const Dataset& src = source(c["source"].get<std::string>());
  Dataset sub;
  for (const json& idx : c["images"]) {
    const int i = idx.get<int>();
    if (i < 0) {
      sub.images.emplace_back();  // an image without GT
      sub.images.back().img_path = "empty.jpg";
    } else {
      sub.images.push_back(src.images.at(i));
    }
  }
  CaseInput in;
  in.gt = textq::datasets::metric_ground_truth(sub, rules);
  in.preds.resize(in.gt.size());
  for (const json& p : c["preds"]) {
    auto& ip = in.preds.at(p[0].get<size_t>());
    ip.polygons = p[1].get<std::vector<std::vector<double>>>();
    ip.scores = p[2].get<std::vector<double>>();
  }
  return in;
}

void check_case(const json& c, MetricRules rules, const json& expected) {
  SCOPED_TRACE(c["name"].get<std::string>() + " " + textq::eval::metric_rules_name(rules));
  const CaseInput in = build(c, rules);
  if (expected.contains("error")) {
    EXPECT_THROW(textq::eval::evaluate_hmean(in.gt, in.preds, rules), textq::Error);
    return;
  }
  const auto res = textq::eval::evaluate_hmean(in.gt, in.preds, rules);
  const json& rows = expected["t"];
  ASSERT_EQ(res.per_threshold.size(), rows.size());
  for (size_t t = 0; t < rows.size(); ++t) {
    const auto& r = res.per_threshold[t];
    SCOPED_TRACE("threshold " + std::to_string(r.threshold));
    EXPECT_EQ(r.threshold, cases_doc()["thresholds"][t].get<double>());
    EXPECT_EQ(r.hits, rows[t][0].get<int64_t>());
    EXPECT_EQ(r.gt_count, rows[t][1].get<int64_t>());
    EXPECT_EQ(r.pred_count, rows[t][2].get<int64_t>());
    EXPECT_EQ(r.recall, rows[t][3].get<double>());  // exact, not only 4 decimals
    EXPECT_EQ(r.precision, rows[t][4].get<double>());
    EXPECT_EQ(r.hmean, rows[t][5].get<double>());
  }
  const auto& b = res.best_result();
  EXPECT_EQ(b.recall, expected["best"][0].get<double>());
  EXPECT_EQ(b.precision, expected["best"][1].get<double>());
  EXPECT_EQ(b.hmean, expected["best"][2].get<double>());
}

TEST(HmeanMmocr, AllCasesMmocr0) {
  const json& cases = cases_doc()["cases"];
  ASSERT_GT(cases.size(), 200u);
  for (const json& c : cases) check_case(c, MetricRules::Mmocr0, c["mmocr0"]);
}

TEST(HmeanMmocr, AllCasesMmocr1) {
  for (const json& c : cases_doc()["cases"]) check_case(c, MetricRules::Mmocr1, c["mmocr1"]);
}

TEST(HmeanMmocr, MiniDatasetMatchesHarnessReadme) {
  // Numbers printed in shared/ref/README.md for the ctw1500-mini demo.
  const json& c = cases_doc()["cases"][0];
  ASSERT_EQ(c["name"], "ctw1500-mini-0x-json");
  const auto r0 = textq::eval::evaluate_hmean(build(c, MetricRules::Mmocr0).gt, build(c, MetricRules::Mmocr0).preds,
                                              MetricRules::Mmocr0);
  EXPECT_EQ(r0.best, 4u);  // thr 0.70
  EXPECT_EQ(r0.best_result().hmean, 0.6666666666666666);
  const auto r1 = textq::eval::evaluate_hmean(build(c, MetricRules::Mmocr1).gt, build(c, MetricRules::Mmocr1).preds,
                                              MetricRules::Mmocr1);
  EXPECT_EQ(r1.best, 0u);
  EXPECT_EQ(r1.best_result().precision, 0.625);
  EXPECT_EQ(textq::eval::format_hmean_table(r0).substr(0, 56),
            "thr 0.30, recall: 0.571, precision: 0.571, hmean: 0.571\n");
}

}  // namespace
