#include "report/html_report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/html_text.h"

namespace textq::report {

namespace {

const char* kCss = R"css(
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f6f7f9;--card:#fff;--good:#047857;--bad:#b91c1c;--accent:#1d4ed8}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 "Inter","Segoe UI",system-ui,-apple-system,Roboto,"DejaVu Sans",Arial,sans-serif}
main{max-width:1220px;margin:0 auto;padding:28px 28px 8px}
header h1{font-size:26px;font-weight:700;margin:0;letter-spacing:-.01em}
header p{margin:4px 0 0;color:var(--muted)}
h2{font-size:17px;margin:0 0 12px;font-weight:650}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px 24px;margin:18px 0}
.note{color:var(--muted);font-size:13px;margin:8px 0 0}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;margin-bottom:18px}
.card{border:1px solid var(--line);border-radius:10px;padding:12px 16px;background:#fbfcfd}
.card .big{font-size:28px;font-weight:700;line-height:1.2;font-variant-numeric:tabular-nums}
.card .what{color:var(--muted);font-size:13px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600}
th:first-child,td:first-child{text-align:left}
tr.ratio td{background:#f8fafc;font-weight:600;border-bottom:none}
th.path,td.path{text-align:left}
td.path{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px;max-width:260px;overflow:hidden;text-overflow:ellipsis}
.good{color:var(--good)} .bad{color:var(--bad)} .muted{color:var(--muted)}
.two{display:grid;grid-template-columns:minmax(0,1.25fr) minmax(0,1fr);gap:18px}
.two section{margin:0}
svg.chart{width:100%;height:auto;display:block}
svg text{font-family:inherit;font-size:12px;fill:#374151}
svg .chart-title{font-size:13px;font-weight:600;fill:#111827}
svg .axis-label{font-size:12px;fill:#4b5563}
svg .bar-label{font-size:9.5px;fill:#4b5563}
svg .grid{stroke:#eceef1} svg .axis,svg .tick-mark{stroke:#9ca3af}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:0;font-size:14px}
dl.kv dt{color:var(--muted)} dl.kv dd{margin:0}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px;background:#f1f3f5;padding:1px 4px;border-radius:4px}
details summary{cursor:pointer;color:var(--accent);margin-top:10px}
.layers td,.layers th{padding:4px 8px;font-size:13px}
.sq{display:inline-block;height:9px;border-radius:2px;vertical-align:middle;margin-right:6px}
.legend-row{display:flex;gap:18px;flex-wrap:wrap;font-size:13px;color:#374151;margin:4px 0 14px}
.chip{display:inline-block;width:22px;height:0;border-top:3px solid;vertical-align:middle;margin-right:6px}
.chip.dashed{border-top-style:dashed}
.img-row{border-top:1px solid var(--line);padding:14px 0 6px}
.img-row:first-of-type{border-top:none}
.img-head{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap;margin-bottom:8px}
.img-head .name{font-weight:650}
.badge{font-size:12.5px;padding:2px 8px;border-radius:999px;background:#f1f3f5;font-variant-numeric:tabular-nums}
.badge.bad{background:#fee2e2} .badge.good{background:#dcfce7}
.panels{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:12px}
.panels figure{margin:0}
.panels img{width:100%;height:auto;display:block;border-radius:6px;border:1px solid var(--line)}
.panels figcaption{font-size:12.5px;color:var(--muted);margin-top:4px}
footer{max-width:1220px;margin:0 auto;padding:6px 28px 28px;color:var(--muted);font-size:12.5px}
)css";

std::string esc(const std::string& s) { return html_escape(s); }

std::string megabytes(int64_t bytes) { return bytes < 0 ? "\xE2\x80\x93" : format_fixed(bytes / 1e6, 2) + " MB"; }

// "+0.0123" / "−0.0123" (true minus sign) with a good/bad class.
std::string signed_delta(double d, int digits, bool higher_is_better = true) {
  const std::string mag = format_fixed(std::fabs(d), digits);
  if (std::fabs(d) < 0.5 * std::pow(10.0, -digits)) return "<span class=\"muted\">\xC2\xB1" + mag + "</span>";
  const bool good = (d > 0) == higher_is_better;
  return fmt::format("<span class=\"{}\">{}{}</span>", good ? "good" : "bad", d > 0 ? "+" : "\xE2\x88\x92", mag);
}

std::string model_name(const ModelColumn& m) { return m.model_path.empty() ? m.eval.predictions : m.model_path; }

std::string summary_cards(const ReportPage& p) {
  struct Card {
    std::string big, what;
  };
  std::vector<Card> cards;
  if (p.fp32.file_bytes > 0 && p.int8.file_bytes > 0)
    cards.push_back({format_fixed(double(p.fp32.file_bytes) / double(p.int8.file_bytes), 1) + "\xC3\x97 smaller",
                     "model file, " + megabytes(p.int8.file_bytes) + " vs " + megabytes(p.fp32.file_bytes)});
  else if (p.quant && p.quant->fp32_bytes > 0 && p.quant->int8_bytes > 0)
    cards.push_back({format_fixed(double(p.quant->fp32_bytes) / double(p.quant->int8_bytes), 1) + "\xC3\x97 smaller",
                     "model file, " + megabytes(p.quant->int8_bytes) + " vs " + megabytes(p.quant->fp32_bytes)});
  if (p.fp32.bench && p.int8.bench) {
    const double speedup = p.fp32.bench->median_ms / p.int8.bench->median_ms;
    cards.push_back({speedup >= 1 ? format_fixed(speedup, 2) + "\xC3\x97 faster" : format_fixed(1 / speedup, 2) + "\xC3\x97 slower",
                     format_fixed(p.int8.bench->median_ms, 1) + " ms vs " + format_fixed(p.fp32.bench->median_ms, 1) +
                         " ms per image (network)"});
  }
  const double dh = p.int8.eval.best.hmean - p.fp32.eval.best.hmean;
  cards.push_back({signed_delta(dh * 100, 2) + " pt", "hmean, INT8 " + format_fixed(p.int8.eval.best.hmean, 4) + " vs FP32 " +
                                                         format_fixed(p.fp32.eval.best.hmean, 4)});
  cards.push_back({std::to_string(p.images_differing) + " of " + std::to_string(p.images_total),
                   "images where INT8 detections differ"});
  std::string s = "<div class=\"cards\">\n";
  for (const Card& c : cards)
    s += "<div class=\"card\"><div class=\"big\">" + c.big + "</div><div class=\"what\">" + esc(c.what) + "</div></div>\n";
  return s + "</div>\n";
}

// An SQNR in dB with `decimals`, or "exact" for +inf (INT8 equal to FP32).
std::string sqnr_text(double db, int decimals) { return std::isfinite(db) ? format_fixed(db, decimals) : "exact"; }

// "<div>per output channel: 41.2 · 46.0 · … dB</div>": the one-number SQNR is the
// largest channel's (TextSnake's radius map), not the logits'.
std::string channel_sqnr_html(const std::vector<double>& db) {
  if (db.size() < 2) return "";
  std::string s = "<div>per output channel:";
  for (size_t c = 0; c < db.size(); ++c) s += (c ? " \xC2\xB7 " : " ") + sqnr_text(db[c], 1);
  return s + " dB</div>";
}

std::string quant_decisions(const QuantSummary& q) {
  std::string s = "<dl class=\"kv\">\n";
  auto row = [&](const std::string& k, const std::string& v_html) { s += "<dt>" + esc(k) + "</dt><dd>" + v_html + "</dd>\n"; };
  row("method", esc(q.method) + (q.method == "percentile" ? " (" + format_fixed(q.percentile, 3) + "%)" : std::string()) +
                    (q.method == "kl" ? " <span class=\"muted\">2048-bin KL threshold search</span>" : ""));
  row("calibration", fmt::format("{} of {} images from <code>{}</code>, seed {}", q.calib_images, q.calib_available,
                                 esc(q.calib_source), q.seed));
  row("INT8 layers", fmt::format("{} of {} Conv/ConvTranspose", q.int8_nodes, q.conv_nodes));
  std::string kept;
  for (const QuantLayer& l : q.layers)
    if (!l.int8) kept += "<div><code>" + esc(l.name) + "</code> " + esc(l.fp32_reason) + "</div>";
  row("kept FP32", kept.empty() ? "none" : kept);
  if (!q.stem_decision.empty()) row("stem", esc(q.stem_decision));
  if (!q.layers.empty()) {
    const QuantLayer& out = q.layers.back();
    row("output error", fmt::format("SQNR {} dB, cosine {} <span class=\"muted\">(INT8 vs FP32, {} calibration images)</span>{}",
                                    sqnr_text(out.sqnr_db, 2),
                                    format_fixed(out.cosine, 6), q.diag_images, channel_sqnr_html(out.channel_sqnr_db)));
  }
  if (q.val_sqnr_db)
    row("validation", fmt::format("SQNR {} dB, cosine {} on {} held-out images{}",
                                  sqnr_text(*q.val_sqnr_db, 2),
                                  format_fixed(q.val_cosine.value_or(1.0), 6), q.val_images,
                                  channel_sqnr_html(q.val_channel_sqnr_db)));
  if (q.fp32_bytes > 0) row("size", megabytes(q.int8_bytes) + " (FP32 " + megabytes(q.fp32_bytes) + ")");
  return s + "</dl>\n";
}

const char* sqnr_color(const QuantLayer& l) {
  if (!l.int8) return "#9ca3af";
  if (!std::isfinite(l.sqnr_db) || l.sqnr_db >= 30) return "#10b981";
  if (l.sqnr_db >= 20) return "#f59e0b";
  return "#ef4444";
}

std::string layer_table(const QuantSummary& q) {
  double max_sqnr = 40;
  for (const QuantLayer& l : q.layers)
    if (std::isfinite(l.sqnr_db)) max_sqnr = std::max(max_sqnr, l.sqnr_db);
  std::string s =
      "<details id=\"layer-table\"><summary>Per-layer table (" + std::to_string(q.layers.size()) +
      " layers)</summary>\n<table class=\"layers\"><thead><tr><th>#</th><th>layer</th><th>op</th><th>precision</th>"
      "<th>input</th><th>output</th><th>FP32 range</th><th>threshold</th><th>SQNR dB</th><th>cosine</th></tr></thead><tbody>\n";
  for (size_t i = 0; i < q.layers.size(); ++i) {
    const QuantLayer& l = q.layers[i];
    const double w = std::isfinite(l.sqnr_db) ? std::clamp(l.sqnr_db / max_sqnr, 0.0, 1.0) * 90 : 90;
    s += fmt::format(
        "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>[{}, {}]</td><td>{}</td>"
        "<td><span class=\"sq\" style=\"width:{}px;background:{}\"></span>{}</td><td>{}</td></tr>\n",
        i + 1, esc(l.name), esc(l.op), l.int8 ? "INT8" : "<span title=\"" + esc(l.fp32_reason) + "\">FP32</span>", esc(l.src),
        esc(l.dst), fmt::format("{:.4g}", l.out_min), fmt::format("{:.4g}", l.out_max),
        l.threshold > 0 ? fmt::format("{:.4g}", l.threshold) : "\xE2\x80\x93", svg_coord(w), sqnr_color(l),
        sqnr_text(l.sqnr_db, 2), format_fixed(l.cosine, 6));
  }
  return s + "</tbody></table></details>\n";
}

std::string image_rows(const ReportPage& p) {
  std::string s;
  for (const ImageRow& r : p.images) {
    const ImageComparison& c = r.cmp;
    const double d = c.hmean_delta();
    const bool differs = std::fabs(d) > 1e-12 || c.unmatched() > 0;
    s += fmt::format("<div class=\"img-row\" id=\"img-{}\"><div class=\"img-head\"><span class=\"name\">{}</span>", c.image,
                     esc(c.name));
    s += fmt::format("<span class=\"badge {}\">\xCE\x94 hmean {}</span>", std::fabs(d) > 1e-12 ? (d < 0 ? "bad" : "good") : "",
                     signed_delta(d, 3));
    s += fmt::format("<span class=\"badge{}\">{} unmatched detection{}</span>", c.unmatched() ? " bad" : "", c.unmatched(),
                     c.unmatched() == 1 ? "" : "s");
    s += fmt::format("<span class=\"muted\">{}\xC3\x97{}{}</span></div>\n", r.width, r.height, differs ? "" : " \xC2\xB7 same detections");
    auto model_caption = [&](const char* label, const ModelOnImage& m, double thr) {
      return fmt::format("{} \xC2\xB7 score \xE2\x89\xA5 {} \xC2\xB7 {} det, {} of {} GT matched \xC2\xB7 hmean {}{}", label,
                         format_fixed(thr, 1), m.det, m.hits, m.gt, format_fixed(m.hmean, 3),
                         m.unmatched() ? fmt::format(" \xC2\xB7 <b class=\"bad\">{} unmatched</b>", m.unmatched()) : "");
    };
    s += "<div class=\"panels\">";
    s += fmt::format("<figure><img alt=\"ground truth of {}\" src=\"{}\"><figcaption>Ground truth \xC2\xB7 {} text{}{}</figcaption></figure>",
                     esc(c.name), r.gt_uri, r.gt_care, r.gt_care == 1 ? "" : "s",
                     r.gt_ignored ? fmt::format(" + {} ignored", r.gt_ignored) : "");
    s += fmt::format("<figure><img alt=\"FP32 detections on {}\" src=\"{}\"><figcaption>{}</figcaption></figure>", esc(c.name),
                     r.fp32_uri, model_caption("FP32", c.fp32, p.fp32.eval.best.threshold));
    s += fmt::format("<figure><img alt=\"INT8 detections on {}\" src=\"{}\"><figcaption>{}</figcaption></figure>", esc(c.name),
                     r.int8_uri, model_caption("INT8", c.int8, p.int8.eval.best.threshold));
    s += "</div></div>\n";
  }
  return s;
}

}  // namespace

std::string short_layer_name(const std::string& name) {
  for (const char* prefix : {"backbone.", "neck."})
    if (name.rfind(prefix, 0) == 0 && name.size() > std::char_traits<char>::length(prefix))
      return name.substr(std::char_traits<char>::length(prefix));
  return name;
}

LinePlot threshold_plot(const EvalSummary& fp32, const EvalSummary& int8) {
  LinePlot p;
  p.id = "threshold-plot";
  p.title = "Recall, precision and hmean against the score threshold";
  p.draw_title = false;  // the section heading says it
  p.x_label = "score threshold";
  p.y_label = "";
  p.frame.width = 660;
  p.frame.height = 360;
  p.frame.left = 46;
  p.frame.right = 160;
  p.frame.top = 22;
  p.frame.bottom = 46;
  p.frame.x_min = 0.27;
  p.frame.x_max = 0.93;
  p.frame.y_min = 0;
  p.frame.y_max = 1;
  for (const auto* e : {&fp32, &int8})
    for (const ThresholdRow& r : e->thresholds) {
      p.frame.x_min = std::min(p.frame.x_min, r.threshold - 0.03);
      p.frame.x_max = std::max(p.frame.x_max, r.threshold + 0.03);
    }
  if (fp32.best.threshold == int8.best.threshold)
    p.x_markers.emplace_back(fp32.best.threshold, "best threshold");
  else
    p.x_markers = {{fp32.best.threshold, "FP32 best"}, {int8.best.threshold, "INT8 best"}};
  for (int i = 3; i <= 9; ++i) p.x_ticks.push_back(i / 10.0);
  for (int i = 0; i <= 5; ++i) p.y_ticks.push_back(i / 5.0);
  p.y_tick_digits = 1;
  struct Metric {
    const char* name;
    const char* color;
    double ThresholdRow::*field;
  };
  const Metric metrics[] = {{"hmean", "#111827", &ThresholdRow::hmean},
                            {"recall", "#2563eb", &ThresholdRow::recall},
                            {"precision", "#ea580c", &ThresholdRow::precision}};
  for (const Metric& m : metrics)
    for (int k = 0; k < 2; ++k) {
      const EvalSummary& e = k == 0 ? fp32 : int8;
      LineSeries s;
      s.label = std::string(k == 0 ? "FP32 " : "INT8 ") + m.name;
      s.color = m.color;
      s.dashed = k == 1;
      for (const ThresholdRow& r : e.thresholds) s.points.emplace_back(r.threshold, r.*(m.field));
      p.series.push_back(std::move(s));
    }
  return p;
}

BarChart layer_sqnr_chart(const QuantSummary& q) {
  BarChart c;
  c.id = "layer-sqnr";
  c.title = "Per-layer output SQNR, INT8 vs FP32 (higher is better)";
  c.y_label = "SQNR dB";
  double max_v = 40;
  for (const QuantLayer& l : q.layers)
    if (std::isfinite(l.sqnr_db)) max_v = std::max(max_v, l.sqnr_db);
  c.frame.width = 1160;
  c.frame.height = 380;
  c.frame.left = 52;
  c.frame.right = 12;
  c.frame.top = 30;
  c.frame.bottom = 118;
  c.frame.y_min = 0;
  c.frame.y_max = std::ceil(max_v / 10) * 10;
  for (double t = 0; t <= c.frame.y_max + 1e-9; t += 10) c.y_ticks.push_back(t);
  for (const QuantLayer& l : q.layers) {
    Bar b;
    b.label = short_layer_name(l.name);
    b.value = l.sqnr_db;
    b.color = sqnr_color(l);
    b.tooltip = fmt::format("{} ({}, {}): SQNR {} dB, cosine {}", l.name, l.op, l.int8 ? "INT8" : "FP32",
                            sqnr_text(l.sqnr_db, 2), format_fixed(l.cosine, 6));
    c.bars.push_back(std::move(b));
  }
  c.legend = {{"#10b981", "\xE2\x89\xA5 30 dB"}, {"#f59e0b", "20\xE2\x80\x93" "30 dB"}, {"#ef4444", "< 20 dB"}, {"#9ca3af", "FP32 layer"}};
  return c;
}

std::string summary_table_html(const ReportPage& p) {
  const bool bench = p.fp32.bench && p.int8.bench;
  std::string s =
      "<table id=\"summary-table\"><thead><tr><th>model</th><th class=\"path\">file</th><th>size</th><th>recall</th><th>precision</th>"
      "<th>hmean</th><th>best thr</th><th>ms / image</th><th>images / s</th></tr></thead><tbody>\n";
  for (const ModelColumn* m : {&p.fp32, &p.int8}) {
    const ThresholdRow& b = m->eval.best;
    s += fmt::format("<tr><td><b>{}</b></td><td class=\"path\" title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td><b>{}</b></td>"
                     "<td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     esc(m->label), esc(model_name(*m)), esc(datasets::path_basename(model_name(*m))), megabytes(m->file_bytes),
                     format_fixed(b.recall, 4), format_fixed(b.precision, 4), format_fixed(b.hmean, 4),
                     format_fixed(b.threshold, 1), m->bench ? format_fixed(m->bench->median_ms, 1) : "\xE2\x80\x93",
                     m->bench ? format_fixed(1000.0 / m->bench->median_ms, 2) : "\xE2\x80\x93");
  }
  const ThresholdRow &f = p.fp32.eval.best, &q = p.int8.eval.best;
  const std::string size_ratio = p.fp32.file_bytes > 0 && p.int8.file_bytes >= 0
                                     ? format_fixed(double(p.int8.file_bytes) / double(p.fp32.file_bytes), 3) + "\xC3\x97"
                                     : "\xE2\x80\x93";
  s += fmt::format("<tr class=\"ratio\"><td>INT8 vs FP32</td><td></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td></td>"
                   "<td>{}</td><td>{}</td></tr>\n",
                   size_ratio, signed_delta(q.recall - f.recall, 4), signed_delta(q.precision - f.precision, 4),
                   signed_delta(q.hmean - f.hmean, 4),
                   bench ? format_fixed(p.fp32.bench->median_ms / p.int8.bench->median_ms, 2) + "\xC3\x97 speed-up" : "\xE2\x80\x93",
                   bench ? format_fixed(p.fp32.bench->median_ms / p.int8.bench->median_ms, 2) + "\xC3\x97" : "\xE2\x80\x93");
  s += "</tbody></table>\n";
  std::string note = "Recall, precision and hmean at each model's best score threshold (metric " + esc(p.fp32.eval.metric) +
                     ", " + std::to_string(p.fp32.eval.images) + " images).";
  if (bench) {
    const BenchSummary &bf = *p.fp32.bench, &bq = *p.int8.bench;
    const std::string backend = bf.backend == bq.backend ? esc(bf.backend) + " backend"
                                                         : "backend " + esc(bf.backend) + " (FP32) / " + esc(bq.backend) + " (INT8)";
    note += fmt::format(" Time: median of {} runs of the network alone, input {}, {}, {} threads.", bf.runs,
                        bf.input_shape.size() == 4 ? fmt::format("{}\xC3\x97{}", bf.input_shape[2], bf.input_shape[3]) : "?",
                        backend, bf.threads);
  }
  else
    note += " No bench files given: time columns are empty.";
  return s + "<p class=\"note\">" + note + "</p>\n";
}

std::string render_report_html(const ReportPage& p) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta name=\"generator\" content=\"textq " + esc(p.provenance.version) + "\">\n"
                  "<title>" + esc(p.title) + "</title>\n<style>" + kCss + "</style></head>\n<body><main>\n";
  s += "<header><h1>" + esc(p.title) + "</h1><p>" + esc(datasets::path_basename(model_name(p.fp32))) + " (FP32) vs " +
       esc(datasets::path_basename(model_name(p.int8))) + " (INT8) on " + std::to_string(p.images_total) + " images of <code>" +
       esc(p.annotation_path) + "</code></p></header>\n";

  s += "<section id=\"summary\"><h2>Summary</h2>\n" + summary_cards(p) + summary_table_html(p) + "</section>\n";

  s += "<div class=\"two\"><section id=\"accuracy\"><h2>Accuracy against the score threshold</h2>\n" +
       render_line_plot(threshold_plot(p.fp32.eval, p.int8.eval)) +
       "<p class=\"note\">Solid: FP32, dashed: INT8. Each point is the whole test set scored at that threshold.</p></section>\n";
  s += "<section id=\"quantization\"><h2>Quantization</h2>\n";
  s += p.quant ? quant_decisions(*p.quant)
               : "<p class=\"muted\">No quantize report given (<code>textq quantize --report-json</code>).</p>\n";
  s += "</section></div>\n";

  if (p.quant && !p.quant->layers.empty()) {
    s += "<section id=\"layer-error\"><h2>Quantization error per layer</h2>\n" + render_bar_chart(layer_sqnr_chart(*p.quant)) +
         fmt::format("<p class=\"note\">Each Conv/ConvTranspose output of the INT8 graph against the FP32 graph on {} "
                     "calibration images (errors accumulate from the input on). Hover a bar for the layer name.</p>\n",
                     p.quant->diag_images) +
         layer_table(*p.quant) + "</section>\n";
  }

  s += "<section id=\"images\"><h2>Where INT8 differs</h2>\n";
  s += fmt::format("<p class=\"note\" style=\"margin:0 0 8px\">{} of {} images shown, most different first: by |\xCE\x94 hmean| of "
                   "the image alone at each model's best threshold, then by detections without an IoU \xE2\x89\xA5 0.5 partner "
                   "in the other model. {} images differ in some way.</p>\n",
                   p.images.size(), p.images_total, p.images_differing);
  s += "<div class=\"legend-row\"><span><i class=\"chip\" style=\"border-color:#1478dc\"></i>ground truth</span>"
       "<span><i class=\"chip dashed\" style=\"border-color:#969696\"></i>ignored ground truth (###)</span>"
       "<span><i class=\"chip\" style=\"border-color:#00c800\"></i>detection found by both models</span>"
       "<span><i class=\"chip\" style=\"border-color:#e62828\"></i>detection only this model has</span></div>\n";
  s += image_rows(p);
  s += "</section>\n</main>\n";

  const Provenance& v = p.provenance;
  s += fmt::format("<footer id=\"footer\">Made by textq {} on {} \xC2\xB7 ISA {} \xC2\xB7 {} thread{}{} \xC2\xB7 inputs: {}, {}{}{}</footer>\n",
                   esc(v.version), esc(v.date), esc(v.isa.empty() ? "unknown" : v.isa), v.threads, v.threads == 1 ? "" : "s",
                   v.timing_note.empty() ? "" : " (" + esc(v.timing_note) + ")", esc(datasets::path_basename(p.fp32.eval.path)),
                   esc(datasets::path_basename(p.int8.eval.path)),
                   p.quant ? ", " + esc(datasets::path_basename(p.quant->path)) : "",
                   p.fp32.bench && p.int8.bench ? ", " + esc(datasets::path_basename(p.fp32.bench->path)) + ", " +
                                      esc(datasets::path_basename(p.int8.bench->path))
                                : "");
  s += "</body></html>\n";
  return s;
}

}  // namespace textq::report
