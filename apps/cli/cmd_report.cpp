// textq report: one self-contained HTML page comparing an FP32 model with its
// INT8 quantization (docs/report.md):
//   textq report --eval-fp32 E --eval-int8 E --preds-fp32 P --preds-int8 P --ann ANN --img-root DIR
//                [--bench-fp32 B --bench-int8 B] [--quant Q] [--model-fp32 M --model-int8 M]
//                -o report.html [--max-images N]
#include <ctime>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "commands.h"
#include "core/file_util.h"
#include "report/html_report.h"
#include "report/report_builder.h"
#include "report/summary_text.h"
#include "runtime/system_info.h"
#include "textq/error.h"

namespace textq::cli {

namespace {

struct ReportArgs {
  report::ReportSources src;
  report::ReportOptions opt;
  std::string output;
  int max_images = 24;
};

std::string utc_date() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

void run_report(ReportArgs a, const GlobalOptions& g) {
  a.opt.max_images = static_cast<size_t>(a.max_images);
  a.opt.provenance.version = "0.1.0";
  a.opt.provenance.date = utc_date();
  a.opt.provenance.isa = cpu_isa_name();  // replaced by the bench files' when given
  a.opt.provenance.threads = effective_threads(0);
  a.opt.max_image_pixels = g.max_image_pixels;
  const report::ReportPage page = report::build_report_page(a.src, a.opt);
  const std::string html = report::render_report_html(page);
  write_text_atomic(a.output, html);
  fmt::print("{}", report::summary_table_text(page));
  if (!g.quiet)
    fmt::print("{}: {} images compared, {} differ, {} shown; {:.2f} MB\n", a.output, page.images_total, page.images_differing,
               page.images.size(), html.size() / 1e6);
}

}  // namespace

void register_report(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand("report", "One self-contained HTML page comparing an FP32 model with its INT8 version");
  cmd->add_option("--eval-fp32", a->src.eval_fp32, "FP32 `textq eval --report-json` file")->required();
  cmd->add_option("--eval-int8", a->src.eval_int8, "INT8 `textq eval --report-json` file")->required();
  cmd->add_option("--preds-fp32", a->src.preds_fp32, "FP32 predictions (`textq eval -o` / `textq detect -o`)")->required();
  cmd->add_option("--preds-int8", a->src.preds_int8, "INT8 predictions")->required();
  cmd->add_option("--ann", a->src.ann, "annotation json the eval files were scored against")->required();
  cmd->add_option("--img-root", a->src.img_root, "image folder (annotation img_path is relative to it)")->required();
  auto* bf = cmd->add_option("--bench-fp32", a->src.bench_fp32, "FP32 `textq bench --json` file (time columns)");
  auto* bi = cmd->add_option("--bench-int8", a->src.bench_int8, "INT8 `textq bench --json` file");
  bf->needs(bi);
  bi->needs(bf);
  cmd->add_option("--quant", a->src.quant, "`textq quantize --report-json` file (per-layer error, decisions)");
  auto* mf = cmd->add_option("--model-fp32", a->src.model_fp32, "FP32 model file (its size; default: from --quant)");
  auto* mi = cmd->add_option("--model-int8", a->src.model_int8, "INT8 model file");
  mf->needs(mi);
  mi->needs(mf);
  cmd->add_option("-o,--output", a->output, "HTML file to write (atomically)")->required();
  cmd->add_option("--max-images", a->max_images, "image rows to show, most different first")
      ->check(CLI::Range(0, 10000))
      ->capture_default_str();
  cmd->add_option("--image-size", a->opt.image_max_side, "longest side of the embedded images, px")
      ->check(CLI::Range(64, 4096))
      ->capture_default_str();
  cmd->add_option("--jpeg-quality", a->opt.jpeg_quality, "quality of the embedded JPEGs")
      ->check(CLI::Range(10, 100))
      ->capture_default_str();
  cmd->add_option("--title", a->opt.title, "page title")->capture_default_str();
  cmd->callback([a, &global] { run_report(*a, global); });
}

}  // namespace textq::cli
