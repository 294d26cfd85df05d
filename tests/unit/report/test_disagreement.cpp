// Per-image comparison of FP32 and INT8 detections and the display order.
#include <gtest/gtest.h>

#include <algorithm>

#include "report/disagreement.h"
#include "textq/error.h"

namespace {

using namespace textq;
using namespace textq::report;

std::vector<double> box(double x0, double y0, double x1, double y1) { return {x0, y0, x1, y0, x1, y1, x0, y1}; }

TEST(ReportDisagreement, PolygonIouOfOverlappingSquares) {
  EXPECT_NEAR(polygon_iou(box(0, 0, 2, 2), box(1, 1, 3, 3)), 1.0 / 7.0, 1e-12);  // 1 / (4 + 4 - 1)
  EXPECT_NEAR(polygon_iou(box(0, 0, 2, 2), box(0, 0, 2, 2)), 1.0, 1e-12);
  EXPECT_EQ(polygon_iou(box(0, 0, 1, 1), box(5, 5, 6, 6)), 0.0);
  EXPECT_EQ(polygon_iou({0, 0, 1, 1}, box(0, 0, 1, 1)), 0.0);  // too few points
  // A bow-tie is repaired (buffer(0)) rather than rejected.
  EXPECT_GT(polygon_iou({0, 0, 2, 2, 2, 0, 0, 2}, box(0, 0, 2, 2)), 0.0);
}

TEST(ReportDisagreement, ThresholdRulesFollowTheMetric) {
  EXPECT_FALSE(counted_at_threshold(0.3, 0.3, eval::MetricRules::Mmocr0));  // 0.x: score > 0.3
  EXPECT_TRUE(counted_at_threshold(0.3, 0.3, eval::MetricRules::Mmocr1));   // 1.x: >= 0.3
  EXPECT_TRUE(counted_at_threshold(0.7, eval::score_thresholds()[4], eval::MetricRules::Mmocr1));  // float32 compare
  EXPECT_FALSE(counted_at_threshold(0.7, eval::score_thresholds()[4], eval::MetricRules::Mmocr0));  // 0.7 < 0.7000000000000002
  EXPECT_TRUE(counted_at_threshold(0.65, 0.6000000000000001, eval::MetricRules::Mmocr0));
}

TEST(ReportDisagreement, ComparesImagesAndCountsUnmatchedDetections) {
  // Image a: both models find the one text. Image b: INT8 finds the wrong place.
  // Image c: both find it, INT8 adds a false positive.
  std::vector<eval::ImageGt> gts(3);
  for (int i = 0; i < 3; ++i) {
    gts[i].name = std::string(1, char('a' + i)) + ".jpg";
    gts[i].polygons = {box(10, 10, 50, 30)};
    gts[i].ignored = {false};
  }
  std::vector<eval::ImagePred> fp32(3), int8(3);
  for (int i = 0; i < 3; ++i) fp32[i] = {{box(11, 10, 50, 31)}, {0.9}};
  int8[0] = {{box(10, 11, 49, 30)}, {0.8}};
  int8[1] = {{box(100, 100, 140, 120)}, {0.8}};
  int8[2] = {{box(10, 10, 50, 30), box(200, 200, 240, 220)}, {0.8, 0.95}};
  int8[2].polygons.push_back(box(300, 300, 340, 320));  // below the threshold: not counted, not drawn
  int8[2].scores.push_back(0.35);
  CompareOptions o;
  o.rules = eval::MetricRules::Mmocr0;
  o.fp32_threshold = o.int8_threshold = 2;  // 0.5
  std::vector<ImageComparison> c = compare_images(gts, fp32, int8, o);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].fp32.hmean, 1.0);
  EXPECT_EQ(c[0].int8.hmean, 1.0);
  EXPECT_EQ(c[0].unmatched(), 0);
  EXPECT_EQ(c[1].int8.hmean, 0.0);
  EXPECT_EQ(c[1].fp32.unmatched(), 1);
  EXPECT_EQ(c[1].int8.unmatched(), 1);
  EXPECT_EQ(c[2].int8.kept.size(), 2u);
  EXPECT_EQ(c[2].int8.matched, (std::vector<bool>{true, false}));
  EXPECT_NEAR(c[2].int8.hmean, 2.0 / 3.0, 1e-12);  // R 1, P 1/2
  EXPECT_EQ(c[2].int8.det, 2);

  std::sort(c.begin(), c.end(), more_disagreement);
  EXPECT_EQ(c[0].name, "b.jpg");  // |delta| 1
  EXPECT_EQ(c[1].name, "c.jpg");  // |delta| 1/3
  EXPECT_EQ(c[2].name, "a.jpg");
}

TEST(ReportDisagreement, TiesBreakOnUnmatchedThenOrder) {
  ImageComparison a, b, d;
  a.image = 0;
  b.image = 1;
  b.int8.kept = {0};
  b.int8.matched = {false};
  d.image = 2;
  EXPECT_TRUE(more_disagreement(b, a));
  EXPECT_TRUE(more_disagreement(a, d));
  EXPECT_FALSE(more_disagreement(a, a));
  // 0.5 - 0.3 and 0.7 - 0.5 differ in floating point but tie here
  ImageComparison x, y;
  x.fp32.hmean = 0.3;
  x.int8.hmean = 0.5;
  y.fp32.hmean = 0.5;
  y.int8.hmean = 0.7;
  x.image = 1;
  y.image = 0;
  EXPECT_TRUE(more_disagreement(x, y));  // same delta: the lower FP32 hmean first
}

TEST(ReportDisagreement, AlignsPredictionsByFileName) {
  datasets::Dataset ann;
  ann.images.resize(2);
  ann.images[0].img_path = "test/1001.jpg";
  ann.images[1].img_path = "test/1002.jpg";
  PredictionsFile p;
  p.predictions.resize(1);
  p.predictions[0].img_path = "/data/imgs/1002.jpg";
  p.predictions[0].polygons = {box(0, 0, 1, 1)};
  p.predictions[0].scores = {0.5};
  const auto a = align_predictions(p, "p.json", ann, "ann.json");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_TRUE(a[0].polygons.empty());
  EXPECT_EQ(a[1].scores, std::vector<double>{0.5});
  p.predictions.push_back(p.predictions[0]);
  try {
    align_predictions(p, "p.json", ann, "ann.json");
    FAIL() << "duplicate accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("p.json: predictions[1] (/data/imgs/1002.jpg): second entry"), std::string::npos)
        << e.what();
  }
  p.predictions[1].img_path = "9.jpg";
  EXPECT_THROW(align_predictions(p, "p.json", ann, "ann.json"), Error);
}

}  // namespace
