// Where a model's pre-processing and decoder parameters come from when an
// importer cannot read them from the checkpoint: MMDeploy's SDK json
// (`pipeline.json`, or `deploy.json` with its sibling) and the convert flags
// --decoder, --db, --mean, --std, --resize. Syntax in docs/formats.md
// ("Pipeline flags and MMDeploy json").
#pragma once

#include <string>

#include "textdet/params.h"

namespace textq {

struct PipelineParams {
  PreprocessParams preprocess;
  DecoderParams decoder;
};

// The flags as typed; an empty string means "not given".
struct PipelineFlags {
  std::string pipeline;  // MMDeploy pipeline.json or deploy.json
  std::string decoder;   // textsnake | db | db:paddle | db:mmocr0 | db:mmocr1
  std::string db;        // KEY=VALUE[,KEY=VALUE...] (reference names, see apply_db_option)
  std::string mean;      // M0,M1,M2 (the model's input channel order)
  std::string std;       // S0,S1,S2
  std::string resize;    // mmocr:LONGxSHORT[/PAD] | paddle:max|min|resize_long:SIDE
};

// base (the importer's defaults), then --pipeline, then the single flags, in
// that order; the result is validated. Throws Error(InvalidArgument) for a
// malformed flag (naming it and the rule), Error(InvalidFile) /
// Error(UnsupportedModel) for a json that is malformed / asks for what textq
// cannot do (naming the file, the json path and the rule), Error(Io).
PipelineParams apply_pipeline_flags(const PipelineFlags& flags, PipelineParams base);

// MMDeploy SDK json -> parameters. `mmocr_version` says which MMOCR's
// arithmetic to follow; a detail.json next to the file (codebase.version)
// overrides it.
PipelineParams read_mmdeploy_pipeline(const std::string& path, PipelineParams base, int mmocr_version);

// One DB option by its reference name: mask_thr|thresh, min_text_score|box_thresh,
// min_text_width, unclip_ratio, epsilon_ratio, max_candidates|max_candidate,
// text_repr_type|box_type (quad|poly), score_mode (fast|slow), use_dilation
// (true|false). `where` names the flag or json path for the error message.
void apply_db_option(const std::string& key, const std::string& value, const std::string& where, DbParams* p);

// --db KEY=VALUE[,KEY=VALUE...]: apply_db_option for each pair (convert, and
// detect/eval's run-time override). Throws Error(InvalidArgument) naming --db.
void apply_db_spec(const std::string& spec, DbParams* p);

// Throws Error(InvalidArgument) naming `where` if the parameters are unusable.
void check_pipeline_params(const PipelineParams& p, const std::string& where);

}  // namespace textq
