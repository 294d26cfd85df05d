#include <gtest/gtest.h>

#include "eval/agreement.h"
#include "textq/error.h"

namespace textq::eval {
namespace {

std::vector<double> box(double x, double y, double w, double h) { return {x, y, x + w, y, x + w, y + h, x, y + h}; }

TEST(Agreement, IdenticalDetectionsAgreeWhereAnythingIsKept) {
  std::vector<ImagePred> ref(2);
  ref[0] = {{box(0, 0, 10, 10), box(20, 0, 10, 10)}, {0.95, 0.65}};
  ref[1] = {{box(5, 5, 30, 8)}, {0.45}};
  const HmeanResult r = evaluate_agreement(ref, ref, MetricRules::Mmocr0);
  ASSERT_EQ(r.per_threshold.size(), 7u);
  EXPECT_DOUBLE_EQ(r.per_threshold[0].hmean, 1.0);  // 0.3: all three kept on both sides
  EXPECT_EQ(r.per_threshold[0].gt_count, 3);
  EXPECT_EQ(r.per_threshold[2].gt_count, 2);        // 0.5: the 0.45 box dropped on both sides
  EXPECT_DOUBLE_EQ(r.per_threshold[6].hmean, 1.0);  // 0.9: only the 0.95 box
  EXPECT_EQ(r.per_threshold[6].gt_count, 1);
}

TEST(Agreement, MissingAndExtraDetectionsLowerRecallAndPrecision) {
  std::vector<ImagePred> ref(1), test(1);
  ref[0] = {{box(0, 0, 10, 10), box(20, 0, 10, 10)}, {0.9, 0.9}};
  test[0] = {{box(0, 0, 10, 10), box(50, 50, 10, 10), box(70, 50, 10, 10)}, {0.9, 0.9, 0.9}};
  const HmeanResult r = evaluate_agreement(ref, test, MetricRules::Mmocr1);
  EXPECT_DOUBLE_EQ(r.per_threshold[0].recall, 0.5);
  EXPECT_DOUBLE_EQ(r.per_threshold[0].precision, 1.0 / 3.0);
  // A test score just below the threshold removes it from the predictions only.
  test[0].scores[0] = 0.35;
  const HmeanResult r2 = evaluate_agreement(ref, test, MetricRules::Mmocr1);
  EXPECT_EQ(r2.per_threshold[1].hits, 0);
  EXPECT_EQ(r2.per_threshold[0].hits, 1);
}

TEST(Agreement, EmptyRowsAreNeverBest) {
  std::vector<ImagePred> ref(1), test(1);
  ref[0] = {{box(0, 0, 10, 10), box(20, 0, 10, 10)}, {0.5, 0.5}};
  test[0] = {{box(0, 0, 10, 10)}, {0.5}};
  const HmeanResult r = evaluate_agreement(ref, test, MetricRules::Mmocr0);
  EXPECT_EQ(r.per_threshold[6].gt_count, 0);  // 0.9: nothing kept, trivially "agrees"
  EXPECT_LT(r.best, 2u);                      // best is a row that compares something
}

TEST(Agreement, MismatchedImageCountsAreAnError) {
  EXPECT_THROW(evaluate_agreement(std::vector<ImagePred>(2), std::vector<ImagePred>(3), MetricRules::Mmocr0), Error);
}

}  // namespace
}  // namespace textq::eval
