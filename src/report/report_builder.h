// Loads and cross-checks every input of the report and assembles the page:
// the eval/bench/quantize json files, both predictions files, the annotation
// file and the images. Every problem is an Error with a one-line message
// naming the file; nothing is printed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "report/html_report.h"
#include "textdet/image_io.h"

namespace textq::report {

struct ReportSources {
  std::string eval_fp32, eval_int8;    // textq eval --report-json
  std::string preds_fp32, preds_int8;  // textq eval -o / textq detect -o
  std::string ann, img_root;           // annotation json and the folder its img_path is relative to
  std::string bench_fp32, bench_int8;  // optional (both or neither): textq bench --json
  std::string quant;                   // optional: textq quantize --report-json
  std::string model_fp32, model_int8;  // optional: for file sizes
};

struct ReportOptions {
  size_t max_images = 24;     // image rows shown (most different first)
  int image_max_side = 560;   // px; images are scaled down before drawing
  int jpeg_quality = 80;
  std::string title = "textq INT8 report";
  uint64_t max_image_pixels = kDefaultMaxImagePixels;  // larger images are refused before decoding
  Provenance provenance;      // isa/threads are replaced by the bench files' when given
};

ReportPage build_report_page(const ReportSources& sources, const ReportOptions& options);

}  // namespace textq::report
