// Each subcommand registers its options and handler on the root app.
// Handlers throw textq::Error; main.cpp is the single catch site.
#pragma once

#include <cstdint>

#include <CLI/CLI.hpp>

#include "textdet/image_io.h"

namespace textq::cli {

struct GlobalOptions {
  bool verbose = false;
  bool quiet = false;
  // --max-image-pixels: every command that reads images passes it down.
  uint64_t max_image_pixels = kDefaultMaxImagePixels;
};

void register_convert(CLI::App& app, const GlobalOptions& global);
void register_detect(CLI::App& app, const GlobalOptions& global);
void register_bench(CLI::App& app, const GlobalOptions& global);
void register_info(CLI::App& app, const GlobalOptions& global);
void register_dataset(CLI::App& app, const GlobalOptions& global);
void register_eval(CLI::App& app, const GlobalOptions& global);
void register_quantize(CLI::App& app, const GlobalOptions& global);
void register_report(CLI::App& app, const GlobalOptions& global);

}  // namespace textq::cli
