#include "runtime_options.h"

#include <cstdio>

#include "backends/onednn/onednn_executor.h"
#include "formats/pipeline_spec.h"
#include "runtime/system_info.h"
#include "textq/error.h"

namespace textq::cli {

void add_runtime_options(CLI::App& cmd, RuntimeOptions& opt, bool with_decoder) {
  cmd.add_option("--backend", opt.backend, "Backend: onednn (fast) or reference (plain C++ oracle)")
      ->check(CLI::IsMember({"onednn", "reference"}))
      ->capture_default_str();
  cmd.add_option("--threads", opt.threads, "Threads (0 = all cores)")->check(CLI::Range(0, 1024))->capture_default_str();
  cmd.add_option("--precision", opt.precision,
                 "fp32 (as stored) or bf16 (FP32 layers with bf16 weights/activations, f32 accumulation; "
                 "onednn on AVX-512 BF16 / AMX CPUs)")
      ->check(CLI::IsMember({"fp32", "bf16"}))
      ->capture_default_str();
  if (!with_decoder) return;
  cmd.add_option("--mmocr", opt.mmocr, "Reproduce MMOCR 0.x or 1.x arithmetic (default: the model's)")->check(CLI::IsMember({0, 1}));
  cmd.add_option("--min-center-conf", opt.min_center_region_confidence, "Decoder: centre score threshold (MMOCR 0.2)")
      ->check(CLI::Range(0.0, 1.0));
  cmd.add_option("--min-center-area", opt.min_center_area, "Decoder: minimum centre contour area in pixels (MMOCR 30)")
      ->check(CLI::Range(0.0, 1e9));
  cmd.add_option("--disk-overlap", opt.disk_overlap_thr, "Decoder: disk merge distance factor (MMOCR 0.03)")->check(CLI::Range(0.0, 10.0));
  cmd.add_option("--radius-shrink", opt.radius_shrink_ratio, "Decoder: disk radius multiplier (MMOCR 1.03)")->check(CLI::Range(0.0, 10.0));
  cmd.add_option("--max-centralize-steps", opt.max_centralize_steps,
                 "Decoder: stop a centre-line walk after this many steps (MMOCR loops forever on radius 0)")
      ->check(CLI::Range(1LL, 1000000000LL));
  cmd.add_option("--db", opt.db, "DB models: KEY=VALUE[,...] over the model's decoder parameters (names as in convert --db)");
}

void apply_runtime_options(const RuntimeOptions& opt, Model& model) {
  const bool db = model.decoder.kind == DecoderKind::Db;
  if (db && (opt.min_center_region_confidence || opt.min_center_area || opt.disk_overlap_thr || opt.radius_shrink_ratio ||
             opt.max_centralize_steps))
    throw Error(ErrorKind::InvalidArgument, "the TextSnake decoder options do not apply: this model uses the DB decoder (use --db)");
  if (!db && !opt.db.empty())
    throw Error(ErrorKind::InvalidArgument, "--db '" + opt.db + "': this model uses the TextSnake decoder");
  if (opt.mmocr) {
    const MmocrVersion v = *opt.mmocr == 1 ? MmocrVersion::v1 : MmocrVersion::v0;
    if (db && model.decoder.db.flavour == DbFlavour::Paddle)
      throw Error(ErrorKind::InvalidArgument, "--mmocr: this model follows PaddleOCR's DB post-processing, not MMOCR's");
    if (model.preprocess.kind == PreprocessKind::Mmocr) model.preprocess.version = v;
    model.decoder.version = v;
    if (db) model.decoder.db.flavour = v == MmocrVersion::v1 ? DbFlavour::Mmocr1 : DbFlavour::Mmocr0;
  }
  if (!opt.db.empty()) apply_db_spec(opt.db, &model.decoder.db);
  if (opt.min_center_region_confidence) model.decoder.min_center_region_confidence = *opt.min_center_region_confidence;
  if (opt.min_center_area) model.decoder.min_center_area = *opt.min_center_area;
  if (opt.disk_overlap_thr) model.decoder.disk_overlap_thr = *opt.disk_overlap_thr;
  if (opt.radius_shrink_ratio) model.decoder.radius_shrink_ratio = *opt.radius_shrink_ratio;
  if (opt.max_centralize_steps) model.decoder.max_centralize_steps = *opt.max_centralize_steps;
}

BackendKind parse_backend(const std::string& name) {
  if (name == "onednn") return BackendKind::OneDnn;
  if (name == "reference") return BackendKind::Reference;
  throw Error(ErrorKind::InvalidArgument, "--backend " + name + ": expected onednn or reference");
}

DetectorOptions detector_options(const RuntimeOptions& opt, bool verbose) {
  DetectorOptions d;
  d.backend = parse_backend(opt.backend);
  d.exec.threads = opt.threads;
  d.exec.verbose = verbose;
  d.exec.bf16 = opt.precision == "bf16";
  return d;
}

void note_int8_on_this_cpu(const RuntimeOptions& opt, const Graph& graph, const std::string& model_path) {
  if (parse_backend(opt.backend) != BackendKind::OneDnn || onednn_int8_sums_exact()) return;
  bool int8 = false;
  for (const Node& n : graph.nodes) int8 = int8 || n.quant.enabled;
  if (!int8) return;
  std::fprintf(stderr,
               "note: %s: this CPU (%s) has no VNNI; oneDNN's INT8 kernels here saturate u8 x s8 pair sums at int16 and "
               "halve the weights of s8-input convs, so outputs differ slightly from the INT8 arithmetic "
               "(docs/quantization.md section 3; --backend reference is exact)\n",
               model_path.c_str(), cpu_isa_name().c_str());
}

}  // namespace textq::cli
