#include "report/svg_plot.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/html_text.h"
#include "textq/error.h"

namespace textq::report {

double PlotFrame::px(double x) const {
  return left + (x - x_min) / (x_max - x_min) * (width - left - right);
}

double PlotFrame::py(double y) const {
  return height - bottom - (y - y_min) / (y_max - y_min) * (height - top - bottom);
}

std::string svg_coord(double v) { return fmt::format("{:.2f}", v); }

namespace {

void check_frame(const PlotFrame& f, bool need_x, const std::string& id) {
  const bool ok = std::isfinite(f.width) && std::isfinite(f.height) && f.width > f.left + f.right &&
                  f.height > f.top + f.bottom && f.y_max > f.y_min && std::isfinite(f.y_min) && std::isfinite(f.y_max) &&
                  (!need_x || (f.x_max > f.x_min && std::isfinite(f.x_min) && std::isfinite(f.x_max)));
  if (!ok) throw Error(ErrorKind::InvalidArgument, "svg plot " + id + ": empty or inverted range or margins");
}

std::string open_svg(const std::string& id, const PlotFrame& f, const std::string& title, bool draw_title) {
  std::string s = fmt::format(
      "<svg id=\"{}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" "
      "height=\"{}\" role=\"img\" aria-label=\"{}\">\n<title>{}</title>\n",
      html_escape(id), svg_coord(f.width), svg_coord(f.height), svg_coord(f.width), svg_coord(f.height),
      html_escape(title), html_escape(title));
  if (draw_title && !title.empty())
    s += fmt::format("<text class=\"chart-title\" x=\"{}\" y=\"16\">{}</text>\n", svg_coord(f.left), html_escape(title));
  return s;
}

// Horizontal grid lines with their y tick labels, and the rotated y label.
std::string y_axis(const PlotFrame& f, const std::vector<double>& ticks, int digits, const std::string& label) {
  std::string s;
  for (double t : ticks) {
    if (!(t >= f.y_min && t <= f.y_max)) continue;
    const std::string y = svg_coord(f.py(t));
    s += fmt::format("<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", svg_coord(f.left),
                     svg_coord(f.width - f.right), y, y);
    s += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", svg_coord(f.left - 6),
                     svg_coord(f.py(t) + 4), format_fixed(t, digits));
  }
  if (!label.empty()) {
    const double cy = (f.top + f.height - f.bottom) / 2;
    s += fmt::format("<text class=\"axis-label\" x=\"14\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\">{}</text>\n",
                     svg_coord(cy), svg_coord(cy), html_escape(label));
  }
  s += fmt::format("<line class=\"axis\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>\n", svg_coord(f.left),
                   svg_coord(f.width - f.right), svg_coord(f.height - f.bottom), svg_coord(f.height - f.bottom));
  return s;
}

}  // namespace

std::string render_line_plot(const LinePlot& p) {
  const PlotFrame& f = p.frame;
  check_frame(f, true, p.id);
  std::string s = open_svg(p.id, f, p.title, p.draw_title);
  s += y_axis(f, p.y_ticks, p.y_tick_digits, p.y_label);
  for (double t : p.x_ticks) {
    if (!(t >= f.x_min && t <= f.x_max)) continue;
    const std::string x = svg_coord(f.px(t));
    s += fmt::format("<line class=\"tick-mark\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", x, x,
                     svg_coord(f.height - f.bottom), svg_coord(f.height - f.bottom + 5));
    s += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x,
                     svg_coord(f.height - f.bottom + 19), format_fixed(t, p.x_tick_digits));
  }
  if (!p.x_label.empty())
    s += fmt::format("<text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                     svg_coord((f.left + f.width - f.right) / 2), svg_coord(f.height - 8), html_escape(p.x_label));

  for (const auto& [x, label] : p.x_markers) {
    if (!(x >= f.x_min && x <= f.x_max)) continue;
    const std::string sx = svg_coord(f.px(x));
    s += fmt::format("<g class=\"marker\"><line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#9ca3af\" "
                     "stroke-dasharray=\"2 3\"/><text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>\n",
                     sx, sx, svg_coord(f.top + 14), svg_coord(f.height - f.bottom), sx, svg_coord(f.top + 8), html_escape(label));
  }
  for (const LineSeries& ser : p.series) {
    std::string pts, dots;
    for (const auto& [x, y] : ser.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      const std::string cx = svg_coord(f.px(x)), cy = svg_coord(f.py(y));
      pts += (pts.empty() ? "" : " ") + cx + "," + cy;
      dots += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"><title>{}: {} at {}</title></circle>", cx, cy,
                          html_escape(ser.color), html_escape(ser.label), format_fixed(y, p.value_digits),
                          format_fixed(x, p.x_tick_digits + 1));
    }
    s += fmt::format("<g class=\"series\" data-series=\"{}\"><polyline points=\"{}\" fill=\"none\" stroke=\"{}\" "
                     "stroke-width=\"2.2\" stroke-linejoin=\"round\"{}/>{}</g>\n",
                     html_escape(ser.label), pts, html_escape(ser.color),
                     ser.dashed ? " stroke-dasharray=\"7 4\"" : "", dots);
  }
  if (p.legend) {
    const double lx = f.width - f.right + 16;
    for (size_t i = 0; i < p.series.size(); ++i) {
      const LineSeries& ser = p.series[i];
      const double ly = f.top + 8 + 22.0 * static_cast<double>(i);
      s += fmt::format("<g class=\"legend\"><line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2.2\"{}/>"
                       "<text x=\"{}\" y=\"{}\">{}</text></g>\n",
                       svg_coord(lx), svg_coord(lx + 28), svg_coord(ly), svg_coord(ly), html_escape(ser.color),
                       ser.dashed ? " stroke-dasharray=\"7 4\"" : "", svg_coord(lx + 36), svg_coord(ly + 4),
                       html_escape(ser.label));
    }
  }
  s += "</svg>\n";
  return s;
}

std::string render_bar_chart(const BarChart& c) {
  const PlotFrame& f = c.frame;
  check_frame(f, false, c.id);
  std::string s = open_svg(c.id, f, c.title, c.draw_title);
  s += y_axis(f, c.y_ticks, c.y_tick_digits, c.y_label);
  const double plot_w = f.width - f.left - f.right;
  const double slot = c.bars.empty() ? plot_w : plot_w / static_cast<double>(c.bars.size());
  const double bar_w = std::max(1.0, slot * 0.72);
  const double base = f.py(std::clamp(0.0, f.y_min, f.y_max));
  for (size_t i = 0; i < c.bars.size(); ++i) {
    const Bar& b = c.bars[i];
    const double cx = f.left + slot * (static_cast<double>(i) + 0.5);
    const double v = std::isfinite(b.value) ? std::clamp(b.value, f.y_min, f.y_max) : (b.value > 0 ? f.y_max : f.y_min);
    const double top = f.py(v);
    const std::string tip = b.tooltip.empty() ? b.label + ": " + format_fixed(b.value, c.value_digits) : b.tooltip;
    s += fmt::format("<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>",
                     svg_coord(cx - bar_w / 2), svg_coord(std::min(top, base)), svg_coord(bar_w),
                     svg_coord(std::fabs(base - top)), html_escape(b.color), html_escape(tip));
    const double ly = f.height - f.bottom + 8;
    s += fmt::format("<text class=\"bar-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\" transform=\"rotate(-60 {} {})\">{}</text>\n",
                     svg_coord(cx + 3), svg_coord(ly), svg_coord(cx + 3), svg_coord(ly), html_escape(b.label));
  }
  double lx = f.width - f.right;
  for (auto it = c.legend.rbegin(); it != c.legend.rend(); ++it) {  // right-aligned, last entry rightmost
    const double w = 24 + 7.0 * static_cast<double>(it->second.size());
    lx -= w;
    s += fmt::format("<g class=\"legend\"><rect x=\"{}\" y=\"7\" width=\"12\" height=\"12\" rx=\"2\" fill=\"{}\"/>"
                     "<text x=\"{}\" y=\"17\">{}</text></g>\n",
                     svg_coord(lx), html_escape(it->first), svg_coord(lx + 17), html_escape(it->second));
  }
  s += "</svg>\n";
  return s;
}

}  // namespace textq::report
