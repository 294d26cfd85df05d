// Unit checks of the hmean-iou rules that the MMOCR goldens rely on.
#include <gtest/gtest.h>

#include "eval/geos_polygon.h"
#include "eval/hmean.h"
#include "textq/error.h"

namespace {

using namespace textq::eval;

std::vector<double> box(double x0, double y0, double x1, double y1) { return {x0, y0, x1, y0, x1, y1, x0, y1}; }

TEST(HmeanUnit, ThresholdsAreNumpyArangeValues) {
  const auto& t = score_thresholds();
  EXPECT_EQ(t[3], 0.6000000000000001);
  EXPECT_EQ(t[4], 0.7000000000000002);
  EXPECT_EQ(t[5], 0.8000000000000003);
  EXPECT_EQ(t[6], 0.9000000000000001);
}

TEST(HmeanUnit, ComputeHmeanKeepsMmocrOperationOrder) {
  double r, p, h;
  compute_hmean(3, 5, 4, &r, &p, &h);  // R 3/5, P 3/4
  EXPECT_EQ(h, 0.6666666666666665);
  compute_hmean(5, 7, 8, &r, &p, &h);  // R 5/7, P 5/8
  EXPECT_EQ(h, 0.6666666666666666);
  compute_hmean(0, 0, 0, &r, &p, &h);
  EXPECT_EQ(r, 1.0);
  EXPECT_EQ(p, 1.0);
  compute_hmean(0, 0, 2, &r, &p, &h);
  EXPECT_EQ(p, 0.0);
}

TEST(HmeanUnit, ScoreRulesDifferAtPointThreeAndPointNine) {
  ImageGt gt{"a.jpg", {box(0, 0, 100, 20)}, {false}};
  ImagePred pr{{box(0, 0, 100, 21)}, {0.3}};
  auto r0 = evaluate_hmean({gt}, {pr}, MetricRules::Mmocr0);
  auto r1 = evaluate_hmean({gt}, {pr}, MetricRules::Mmocr1);
  EXPECT_EQ(r0.per_threshold[0].hits, 0);  // 0.x: score > 0.3
  EXPECT_EQ(r1.per_threshold[0].hits, 1);  // 1.x: score >= 0.3
  pr.scores = {0.9};
  r0 = evaluate_hmean({gt}, {pr}, MetricRules::Mmocr0);
  r1 = evaluate_hmean({gt}, {pr}, MetricRules::Mmocr1);
  EXPECT_EQ(r0.per_threshold[6].pred_count, 0);  // 0.9 < 0.9000000000000001 in double
  EXPECT_EQ(r1.per_threshold[6].pred_count, 1);  // equal in float32
}

TEST(HmeanUnit, BowTieKeepsOneLobeAfterBuffer0) {
  GeosContext ctx;
  Geometry g = make_shapely_polygon(ctx, {20, 120, 140, 150, 140, 120, 20, 150});
  EXPECT_FALSE(is_valid(ctx, g));
  EXPECT_EQ(area(ctx, g), 0.0);  // symmetric bow-tie: signed lobes cancel
  EXPECT_EQ(area(ctx, make_valid_mmocr0(ctx, g)), 900.0);
}

TEST(HmeanUnit, IgnoredGtAbsorbsPredictions) {
  ImageGt gt{"a.jpg", {box(0, 0, 100, 20), box(0, 50, 100, 70)}, {false, true}};
  ImagePred pr{{box(0, 0, 100, 20), box(5, 52, 95, 68)}, {0.95, 0.95}};
  for (auto rules : {MetricRules::Mmocr0, MetricRules::Mmocr1}) {
    const auto r = evaluate_hmean({gt}, {pr}, rules);
    EXPECT_EQ(r.per_threshold[0].pred_count, 1);
    EXPECT_EQ(r.per_threshold[0].gt_count, 1);
    EXPECT_EQ(r.best_result().hmean, 1.0);
  }
}

TEST(HmeanUnit, RejectsWhatMmocrRejects) {
  ImageGt gt{"a.jpg", {box(0, 0, 10, 10)}, {false}};
  ImagePred tri{{{0, 0, 10, 0, 5, 5}}, {0.9}};
  EXPECT_THROW(evaluate_hmean({gt}, {tri}, MetricRules::Mmocr0), textq::Error);  // >= 4 points in 0.x
  EXPECT_NO_THROW(evaluate_hmean({gt}, {tri}, MetricRules::Mmocr1));
  ImagePred odd{{{0, 0, 10, 0, 5, 5, 1}}, {0.9}};
  EXPECT_THROW(evaluate_hmean({gt}, {odd}, MetricRules::Mmocr1), textq::Error);
  ImagePred mismatch{{box(0, 0, 1, 1)}, {}};
  EXPECT_THROW(evaluate_hmean({gt}, {mismatch}, MetricRules::Mmocr1), textq::Error);
  EXPECT_THROW(evaluate_hmean({gt, gt}, {tri}, MetricRules::Mmocr1), textq::Error);
}

}  // namespace
