// The SVG charts put each data point where the arithmetic says.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "report/html_report.h"
#include "report/svg_plot.h"
#include "textq/error.h"

namespace {

using namespace textq::report;

PlotFrame small_frame() {
  PlotFrame f;
  f.width = 200;
  f.height = 100;
  f.left = f.right = f.top = f.bottom = 10;
  f.x_min = 0;
  f.x_max = 1;
  f.y_min = 0;
  f.y_max = 1;
  return f;
}

int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(SvgPlot, LinePointsAreMappedIntoThePlotArea) {
  LinePlot p;
  p.id = "t";
  p.frame = small_frame();
  p.legend = false;
  // plot area x 10..190, y 90 (y=0) .. 10 (y=1)
  p.series.push_back({"FP32 hmean", "#111", false, {{0.3, 0.5}, {0.9, 1.0}, {1.0, std::nan("")}}});
  const std::string svg = render_line_plot(p);
  EXPECT_NE(svg.find("points=\"64.00,50.00 172.00,10.00\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("<circle cx=\"64.00\" cy=\"50.00\""), std::string::npos);
  EXPECT_NE(svg.find("<circle cx=\"172.00\" cy=\"10.00\""), std::string::npos);
  EXPECT_EQ(count(svg, "<circle"), 2);  // the NaN point is left out
  EXPECT_EQ(svg.find("stroke-dasharray"), std::string::npos);
  EXPECT_EQ(svg.rfind("<svg id=\"t\"", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(SvgPlot, LegendHasOneEntryPerSeriesWithEscapedLabels) {
  LinePlot p;
  p.id = "t";
  p.frame = small_frame();
  p.frame.right = 150;
  p.frame.width = 340;
  p.series.push_back({"a<b", "red", false, {{0, 0}}});
  p.series.push_back({"INT8 recall", "blue", true, {{0, 1}}});
  const std::string svg = render_line_plot(p);
  EXPECT_EQ(count(svg, "class=\"legend\""), 2);
  EXPECT_NE(svg.find(">a&lt;b</text>"), std::string::npos);
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
  EXPECT_EQ(count(svg, "stroke-dasharray"), 2);  // the dashed series and its legend swatch
}

TEST(SvgPlot, TicksOutsideTheRangeAreNotDrawn) {
  LinePlot p;
  p.id = "t";
  p.frame = small_frame();
  p.x_ticks = {0.5, 2.0};
  p.y_ticks = {0.0, 1.0, -1.0};
  const std::string svg = render_line_plot(p);
  EXPECT_EQ(count(svg, "class=\"tick\""), 3);
  EXPECT_EQ(count(svg, "class=\"grid\""), 2);
}

TEST(SvgPlot, InvertedRangeIsAnError) {
  LinePlot p;
  p.frame = small_frame();
  p.frame.x_max = 0;
  EXPECT_THROW(render_line_plot(p), textq::Error);
  BarChart c;
  c.frame = small_frame();
  c.frame.y_max = c.frame.y_min;
  EXPECT_THROW(render_bar_chart(c), textq::Error);
}

TEST(SvgBarChart, BarsShareTheWidthAndAreClamped) {
  BarChart c;
  c.id = "b";
  c.frame = small_frame();  // plot area 180 px wide: two slots of 90, bars 64.8 wide
  c.bars = {{"l1", 0.5, "#0f0", ""}, {"l2", 7.0, "#f00", "tip & more"}};
  const std::string svg = render_bar_chart(c);
  // slot centres 55 and 145; bar 1 from y=50 to the baseline 90; bar 2 clamped to y_max (y=10)
  EXPECT_NE(svg.find("x=\"22.60\" y=\"50.00\" width=\"64.80\" height=\"40.00\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("x=\"112.60\" y=\"10.00\" width=\"64.80\" height=\"80.00\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("<title>l1: 0.50</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>tip &amp; more</title>"), std::string::npos);
}

TEST(ReportPlots, ThresholdPlotHasSixSeriesWithTheEvalPoints) {
  EvalSummary f, q;
  for (int i = 0; i < 7; ++i) {
    ThresholdRow r;
    r.threshold = 0.3 + 0.1 * i;
    r.recall = 0.9 - 0.1 * i;
    r.precision = 0.5 + 0.05 * i;
    r.hmean = 0.6;
    f.thresholds.push_back(r);
    r.hmean = 0.7;
    q.thresholds.push_back(r);
  }
  const LinePlot p = threshold_plot(f, q);
  ASSERT_EQ(p.series.size(), 6u);
  int dashed = 0;
  for (const LineSeries& s : p.series) {
    EXPECT_EQ(s.points.size(), 7u) << s.label;
    dashed += s.dashed;
  }
  EXPECT_EQ(dashed, 3);  // INT8 dashed
  EXPECT_EQ(p.series[0].label, "FP32 hmean");
  EXPECT_EQ(p.series[1].label, "INT8 hmean");
  EXPECT_EQ(p.series[1].points[2].second, 0.7);
  const std::string svg = render_line_plot(p);
  // INT8 hmean 0.7 at threshold 0.5, through the plot's own frame
  const std::string pt = svg_coord(p.frame.px(0.5)) + "," + svg_coord(p.frame.py(0.7));
  EXPECT_NE(svg.find(pt), std::string::npos) << pt;
  EXPECT_NE(svg.find("id=\"threshold-plot\""), std::string::npos);
}

TEST(ReportPlots, LayerChartColoursBySqnrBandAndShortensNames) {
  QuantSummary qs;
  QuantLayer a, b, c;
  a.name = "backbone.layer1.0.conv1";
  a.int8 = true;
  a.sqnr_db = 35;
  b.name = "neck.up_block0.deconv";
  b.int8 = true;
  b.sqnr_db = 9;
  c.name = "bbox_head.out_conv";
  c.int8 = false;
  c.sqnr_db = 1.0 / 0.0;
  qs.layers = {a, b, c};
  const BarChart chart = layer_sqnr_chart(qs);
  ASSERT_EQ(chart.bars.size(), 3u);
  EXPECT_EQ(chart.bars[0].label, "layer1.0.conv1");
  EXPECT_EQ(chart.bars[1].label, "up_block0.deconv");
  EXPECT_EQ(chart.bars[2].label, "bbox_head.out_conv");
  EXPECT_NE(chart.bars[0].color, chart.bars[1].color);
  EXPECT_NE(chart.bars[2].color, chart.bars[0].color);
  EXPECT_NE(chart.bars[2].tooltip.find("exact"), std::string::npos);
  EXPECT_EQ(chart.frame.y_max, 40);
}

}  // namespace

namespace {

TEST(SvgPlot, MarkersAreVerticalLinesAtTheirX) {
  textq::report::LinePlot p;
  p.id = "t";
  p.frame = small_frame();
  p.x_markers = {{0.5, "best"}, {3.0, "outside"}};
  const std::string svg = textq::report::render_line_plot(p);
  EXPECT_NE(svg.find("<line x1=\"100.00\" x2=\"100.00\""), std::string::npos) << svg;
  EXPECT_NE(svg.find(">best</text>"), std::string::npos);
  EXPECT_EQ(svg.find("outside"), std::string::npos);
}

}  // namespace
