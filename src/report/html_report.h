// The report page: one self-contained HTML document (inline CSS, inline SVG,
// images as data URIs; no scripts, no network) built from already-loaded
// inputs. See docs/report.md for what each section shows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/disagreement.h"
#include "report/report_inputs.h"
#include "report/svg_plot.h"

namespace textq::report {

struct ModelColumn {
  std::string label;        // "FP32" / "INT8"
  std::string model_path;   // "" = unknown (eval's "predictions" is shown instead)
  int64_t file_bytes = -1;  // -1 = unknown
  EvalSummary eval;
  std::optional<BenchSummary> bench;
};

struct ImageRow {
  ImageComparison cmp;
  int width = 0, height = 0;  // original image size
  int gt_care = 0, gt_ignored = 0;
  std::string gt_uri, fp32_uri, int8_uri;  // JPEG data URIs
};

struct Provenance {
  std::string version;  // "0.1.0"
  std::string date;     // "2025-11-26" (UTC)
  std::string isa;      // where the timings were measured (bench json) or this machine
  int threads = 0;
  std::string timing_note;  // e.g. "bench input 1x3x736x1280, onednn backend"
};

struct ReportPage {
  std::string title = "textq INT8 report";
  ModelColumn fp32, int8;
  std::optional<QuantSummary> quant;
  std::vector<ImageRow> images;  // in display order (most disagreement first), already capped
  size_t images_total = 0;       // annotated images compared
  size_t images_differing = 0;   // with a hmean delta or an unmatched detection
  std::string annotation_path;
  Provenance provenance;
};

std::string render_report_html(const ReportPage& page);

// The pieces, exposed for tests.
LinePlot threshold_plot(const EvalSummary& fp32, const EvalSummary& int8);
BarChart layer_sqnr_chart(const QuantSummary& quant);
std::string summary_table_html(const ReportPage& page);
// "backbone.layer4.2.conv3" -> "layer4.2.conv3": drops a leading "backbone."/"neck." for axis labels.
std::string short_layer_name(const std::string& name);

}  // namespace textq::report
