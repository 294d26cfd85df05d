#include "report/summary_text.h"

#include <fmt/format.h>

namespace textq::report {

namespace {

std::string size_mb(int64_t bytes) { return bytes < 0 ? "-" : fmt::format("{:.2f} MB", bytes / 1e6); }

std::string row(const ModelColumn& m) {
  const ThresholdRow& b = m.eval.best;
  const std::string ms = m.bench ? fmt::format("{:.1f}", m.bench->median_ms) : "-";
  const std::string ips = m.bench ? fmt::format("{:.2f}", 1000.0 / m.bench->median_ms) : "-";
  return fmt::format("| {:<5} | {:>9} | {:.4f} | {:.4f}    | {:.4f} ({:.1f}) | {:>8} | {:>8} |\n", m.label, size_mb(m.file_bytes),
                     b.recall, b.precision, b.hmean, b.threshold, ms, ips);
}

}  // namespace

std::string summary_table_text(const ReportPage& p) {
  std::string out;
  out += "| model | file size | recall | precision | hmean (thr)  | ms/image | images/s |\n";
  out += "|-------|-----------|--------|-----------|--------------|----------|----------|\n";
  out += row(p.fp32);
  out += row(p.int8);
  const std::string size_ratio = (p.fp32.file_bytes > 0 && p.int8.file_bytes >= 0)
                                     ? fmt::format("{:.3f}x", double(p.int8.file_bytes) / double(p.fp32.file_bytes))
                                     : "-";
  const bool bench = p.fp32.bench && p.int8.bench;
  const std::string speed = bench ? fmt::format("{:.2f}x", p.int8.bench->median_ms / p.fp32.bench->median_ms) : "-";
  const std::string speedup = bench ? fmt::format("{:.2f}x", p.fp32.bench->median_ms / p.int8.bench->median_ms) : "-";
  const ThresholdRow &f = p.fp32.eval.best, &q = p.int8.eval.best;
  out += fmt::format("| ratio | {:>9} | {:+.4f} | {:+.4f}   | {:+.4f}      | {:>8} | {:>8} |\n", size_ratio, q.recall - f.recall,
                     q.precision - f.precision, q.hmean - f.hmean, speed, speedup);
  if (bench)
    out += fmt::format("time: median of {} runs of the network alone, input {}x{}, {} backend, {} threads, {}\n",
                       p.int8.bench->runs, p.int8.bench->input_shape.size() == 4 ? p.int8.bench->input_shape[2] : 0,
                       p.int8.bench->input_shape.size() == 4 ? p.int8.bench->input_shape[3] : 0, p.int8.bench->backend,
                       p.int8.bench->threads, p.int8.bench->isa);
  out += fmt::format("accuracy: {} hmean-IoU on {} images, each model at its best score threshold\n", p.fp32.eval.metric,
                     p.fp32.eval.images);
  return out;
}

}  // namespace textq::report
