// Small inline-SVG charts for the HTML report: a line plot (metric against
// score threshold) and a column chart (per-layer SQNR). Pure string output,
// no fonts or scripts needed; every data point carries a <title> tooltip.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace textq::report {

// Maps data coordinates to SVG pixels inside the margins.
struct PlotFrame {
  double width = 560, height = 340;                      // whole SVG
  double left = 56, right = 16, top = 28, bottom = 48;  // plot area margins
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  double px(double x) const;  // x_min -> left, x_max -> width - right
  double py(double y) const;  // y_min -> height - bottom, y_max -> top
};

struct LineSeries {
  std::string label;   // legend and tooltip text
  std::string color;   // any CSS colour
  bool dashed = false;
  std::vector<std::pair<double, double>> points;  // non-finite points are left out
};

struct LinePlot {
  std::string id;  // element id of the <svg>
  std::string title, x_label, y_label;
  bool draw_title = true;  // false: title only as the accessible <title>
  PlotFrame frame;
  std::vector<double> x_ticks, y_ticks;
  int x_tick_digits = 1, y_tick_digits = 1, value_digits = 3;
  std::vector<LineSeries> series;
  std::vector<std::pair<double, std::string>> x_markers;  // light vertical line with a label at the top
  bool legend = true;  // one row per series in the right margin (leave ~150 px in frame.right)
};

struct Bar {
  std::string label;    // x-axis label (drawn rotated)
  double value = 0;     // clamped to the frame's y range when drawn
  std::string color;
  std::string tooltip;  // "" = label and value
};

struct BarChart {
  std::string id;
  std::string title, y_label;
  bool draw_title = true;
  PlotFrame frame;  // x range is ignored: bars share the plot width evenly
  std::vector<double> y_ticks;
  int y_tick_digits = 0, value_digits = 2;
  std::vector<Bar> bars;
  std::vector<std::pair<std::string, std::string>> legend;  // (colour, text), drawn top right
};

// Both throw Error(InvalidArgument) on an empty or inverted range.
std::string render_line_plot(const LinePlot& plot);
std::string render_bar_chart(const BarChart& chart);

// "12.34" with trailing zeros kept: SVG coordinates at 2 decimals.
std::string svg_coord(double v);

}  // namespace textq::report
