// textq: the single CLI. Parses flags, dispatches to a subcommand, and is the
// one place that catches errors: one line on stderr, exit code by error kind.
#include <cstdio>
#include <exception>
#include <string>

#include "commands.h"
#include "malloc_policy.h"
#include "omp_wait_policy.h"
#include "textq/error.h"

int main(int argc, char** argv) {
  textq::cli::ensure_omp_wait_policy(argv);  // may restart the program once (see omp_wait_policy.h)
  textq::cli::keep_freed_buffers();           // large per-image buffers are reused, not page-faulted again
  CLI::App app{"textq: quantize and run MMOCR TextSnake text detectors on CPU"};
  app.set_version_flag("--version", "textq 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();  // -v / -q / --max-image-pixels may follow the subcommand too
  textq::cli::GlobalOptions global;
  app.add_flag("-v,--verbose", global.verbose, "Print more detail (oneDNN kernels, timings)");
  app.add_flag("-q,--quiet", global.quiet, "No progress output");
  app.add_option("--max-image-pixels", global.max_image_pixels,
                 "Refuse an image whose header claims more pixels than this, before decoding it")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            // Checked as text: CLI11 would wrap "-1" to 2^64 - 1 when converting.
            const bool whole = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
            return whole && v.find_first_not_of('0') != std::string::npos ? "" : "expected a whole number >= 1, got " + v;
          },
          "POSITIVE"))
      ->capture_default_str();

  textq::cli::register_dataset(app, global);
  textq::cli::register_convert(app, global);
  textq::cli::register_quantize(app, global);
  textq::cli::register_detect(app, global);
  textq::cli::register_bench(app, global);
  textq::cli::register_eval(app, global);
  textq::cli::register_info(app, global);
  textq::cli::register_report(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "textq: usage error: %s (see textq %s--help)\n", e.what(),
                 app.get_subcommands().empty() ? "" : (app.get_subcommands()[0]->get_name() + " ").c_str());
    return 1;
  } catch (const textq::Error& e) {
    std::fprintf(stderr, "textq: error: %s\n", e.what());
    return textq::error_kind_exit_code(e.kind());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "textq: error: out of memory\n");
    return 4;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "textq: internal error: %s\n", e.what());
    return 4;
  }
  return 0;
}
