// The convert flags that set a model's pre-processing and decoder
// (--pipeline, --decoder, --db, --mean, --std, --resize), shared by every
// importer's branch of `textq convert`. The parsing and the MMDeploy json
// reader live in src/formats/pipeline_spec.h.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "formats/model.h"
#include "formats/pipeline_spec.h"

namespace textq::cli {

// Adds the flags to `cmd`; the returned struct is filled when CLI11 parses.
std::shared_ptr<PipelineFlags> add_pipeline_options(CLI::App* cmd);

// model.preprocess/decoder hold the importer's defaults on entry; the flags
// (if any) are applied on top. Throws textq::Error as apply_pipeline_flags.
void apply_pipeline_options(const PipelineFlags& flags, Model* model);

// One line each for `convert` and `info`.
std::string describe_preprocess(const PreprocessParams& p);
std::string describe_decoder(const DecoderParams& d);

}  // namespace textq::cli
