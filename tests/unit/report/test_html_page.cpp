// The assembled page and the image panels: self-contained, escaped, with the
// sections the CLI test and the screenshot look for.
#include <cmath>
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "report/base64.h"
#include "report/html_report.h"
#include "report/image_panel.h"
#include "textq/error.h"

namespace {

using namespace textq;
using namespace textq::report;

std::vector<uint8_t> base64_decode(const std::string& s) {  // test-side decoder, independent of the encoder
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  std::vector<uint8_t> out;
  int bits = 0;
  uint32_t acc = 0;  // unsigned: old bits shift out harmlessly
  for (char c : s) {
    const int v = val(c);
    if (v < 0) break;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

TEST(ReportImages, FitImageScalesTheLongerSide) {
  cv::Mat img(300, 1200, CV_8UC3, cv::Scalar(10, 20, 30));
  double s = 0;
  const cv::Mat small = fit_image(img, 600, &s);
  EXPECT_EQ(s, 0.5);
  EXPECT_EQ(small.cols, 600);
  EXPECT_EQ(small.rows, 150);
  const cv::Mat same = fit_image(img, 2000, &s);
  EXPECT_EQ(s, 1.0);
  EXPECT_EQ(same.cols, 1200);
  EXPECT_THROW(fit_image(cv::Mat(), 600, &s), Error);
  EXPECT_EQ(scale_polygon({10, 20, 30, 40}, 0.5), (std::vector<double>{5, 10, 15, 20}));
}

TEST(ReportImages, JpegDataUriDecodesBack) {
  cv::Mat img(40, 64, CV_8UC3, cv::Scalar(200, 100, 50));
  const std::string uri = jpeg_data_uri(img, 80);
  const std::string prefix = "data:image/jpeg;base64,";
  ASSERT_EQ(uri.rfind(prefix, 0), 0u);
  const std::vector<uint8_t> bytes = base64_decode(uri.substr(prefix.size()));
  const cv::Mat back = cv::imdecode(bytes, cv::IMREAD_COLOR);
  ASSERT_FALSE(back.empty());
  EXPECT_EQ(back.cols, 64);
  EXPECT_EQ(back.rows, 40);
  EXPECT_NEAR(back.at<cv::Vec3b>(20, 32)[0], 200, 4);
}

TEST(ReportImages, GroundTruthSolidAndIgnoredDashed) {
  cv::Mat img(100, 200, CV_8UC3, cv::Scalar(0, 0, 0));
  datasets::TextInstance care, ign;
  care.polygon = {10, 10, 90, 10, 90, 40, 10, 40};
  ign.polygon = {110, 10, 190, 10, 190, 90, 110, 90};
  ign.ignore = true;
  draw_ground_truth(img, {care, ign}, 1.0);
  // every pixel on the care box's top edge is drawn, in the GT colour
  int drawn = 0;
  for (int x = 15; x <= 85; ++x) drawn += img.at<cv::Vec3b>(10, x) == cv::Vec3b(220, 120, 20);
  EXPECT_EQ(drawn, 71);
  // the ignored box's top edge alternates dashes and gaps
  int grey = 0, dark = 0;
  for (int x = 112; x <= 188; ++x) {
    const cv::Vec3b p = img.at<cv::Vec3b>(10, x);
    grey += p[0] > 100 && p[0] == p[1] && p[1] == p[2];
    dark += p == cv::Vec3b(0, 0, 0);
  }
  EXPECT_GT(grey, 25);
  EXPECT_GE(dark, 10);  // about 3 clear px per 14 px period
  // scale maps annotation pixels to image pixels
  cv::Mat half(100, 200, CV_8UC3, cv::Scalar(0, 0, 0));
  care.polygon = {20, 20, 180, 20, 180, 80, 20, 80};
  draw_ground_truth(half, {care}, 0.5);
  EXPECT_EQ(half.at<cv::Vec3b>(10, 50), cv::Vec3b(220, 120, 20));
  EXPECT_EQ(half.at<cv::Vec3b>(20, 50), cv::Vec3b(0, 0, 0));
}

ReportPage sample_page() {
  ReportPage p;
  p.title = "INT8 <check> & more";
  p.annotation_path = "ann.json";
  for (ModelColumn* m : {&p.fp32, &p.int8}) {
    m->eval.metric = "mmocr0";
    m->eval.images = 2;
    for (int i = 0; i < 7; ++i) {
      ThresholdRow r;
      r.threshold = 0.3 + 0.1 * i;
      r.recall = r.precision = r.hmean = 0.8;
      m->eval.thresholds.push_back(r);
    }
    m->eval.best = m->eval.thresholds[3];
  }
  p.fp32.label = "FP32";
  p.int8.label = "INT8";
  p.fp32.model_path = "m_fp32.textq";
  p.int8.model_path = "m_int8.textq";
  p.fp32.file_bytes = 4000000;
  p.int8.file_bytes = 1000000;
  p.int8.eval.best.hmean = 0.75;
  BenchSummary b;
  b.median_ms = 100;
  b.runs = 3;
  b.input_shape = {1, 3, 736, 1280};
  p.fp32.bench = b;
  b.median_ms = 40;
  p.int8.bench = b;
  QuantSummary q;
  q.method = "kl";
  QuantLayer l;
  l.name = "backbone.conv1";
  l.int8 = true;
  l.sqnr_db = 30;
  QuantLayer head = l;
  head.name = "bbox_head.out_conv";
  head.int8 = false;
  head.channel_sqnr_db = {27.54, INFINITY};
  q.layers = {l, head};
  p.quant = q;
  ImageRow row;
  row.cmp.name = "x<1>.jpg";
  row.gt_uri = row.fp32_uri = row.int8_uri = "data:image/jpeg;base64,AAAA";
  p.images = {row};
  p.images_total = 2;
  p.images_differing = 1;
  p.provenance = {"0.1.0", "2025-01-02", "avx2", 2, ""};
  return p;
}

TEST(ReportPage, HasEverySectionAndNoExternalResources) {
  const std::string html = render_report_html(sample_page());
  for (const char* id : {"summary", "summary-table", "threshold-plot", "quantization", "layer-error", "layer-sqnr",
                         "layer-table", "images", "img-0", "footer"})
    EXPECT_NE(html.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_NE(html.find("<title>INT8 &lt;check&gt; &amp; more</title>"), std::string::npos);
  EXPECT_NE(html.find("x&lt;1&gt;.jpg"), std::string::npos);
  EXPECT_EQ(html.find("x<1>"), std::string::npos);
  EXPECT_NE(html.find("textq 0.1.0 on 2025-01-02"), std::string::npos);
  EXPECT_NE(html.find("per output channel: 27.5 \xC2\xB7 exact dB"), std::string::npos);
}

TEST(ReportPage, SummaryTableHasRatios) {
  const std::string t = summary_table_html(sample_page());
  EXPECT_NE(t.find("<td>0.250\xC3\x97</td>"), std::string::npos) << t;          // size INT8/FP32
  EXPECT_NE(t.find("2.50\xC3\x97 speed-up"), std::string::npos) << t;          // 100 ms / 40 ms
  EXPECT_NE(t.find(">\xE2\x88\x92" "0.0500</span>"), std::string::npos) << t;  // hmean delta
  EXPECT_NE(t.find("<td>10.00</td>"), std::string::npos) << t;                  // FP32 images/s
  EXPECT_NE(t.find("<td>25.00</td>"), std::string::npos) << t;                  // INT8 images/s
}

TEST(ReportPage, WithoutQuantOrBenchTheSectionsSayWhy) {
  ReportPage p = sample_page();
  p.quant.reset();
  p.fp32.bench.reset();
  p.int8.bench.reset();
  const std::string html = render_report_html(p);
  EXPECT_EQ(html.find("id=\"layer-error\""), std::string::npos);
  EXPECT_NE(html.find("No quantize report given"), std::string::npos);
  EXPECT_NE(html.find("No bench files given"), std::string::npos);
}

}  // namespace
