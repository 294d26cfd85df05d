#include "pipeline_options.h"

#include <fmt/format.h>

namespace textq::cli {

std::shared_ptr<PipelineFlags> add_pipeline_options(CLI::App* cmd) {
  auto f = std::make_shared<PipelineFlags>();
  cmd->add_option("--pipeline", f->pipeline,
                  "MMDeploy pipeline.json (or deploy.json next to it): resize, mean/std, pad, postprocessor and its params");
  cmd->add_option("--decoder", f->decoder, "textsnake | db[:paddle|mmocr0|mmocr1] (db alone: paddle)");
  cmd->add_option("--db", f->db,
                  "DB options KEY=VALUE[,...] by the reference's names, e.g. box_type=poly,box_thresh=0.5,unclip_ratio=2");
  cmd->add_option("--mean", f->mean, "M0,M1,M2: per input channel (RGB if the pre-processing swaps to RGB, else BGR)");
  cmd->add_option("--std", f->std, "S0,S1,S2: per input channel, > 0");
  cmd->add_option("--resize", f->resize, "mmocr:LONGxSHORT[/PAD] (keep-ratio box, pad) | paddle:max|min|resize_long:SIDE");
  return f;
}

void apply_pipeline_options(const PipelineFlags& flags, Model* model) {
  PipelineParams p{model->preprocess, model->decoder};
  p = apply_pipeline_flags(flags, p);
  model->preprocess = p.preprocess;
  model->decoder = p.decoder;
}

std::string describe_preprocess(const PreprocessParams& p) {
  const std::string norm = fmt::format("mean ({}, {}, {}), std ({}, {}, {}), {}", p.mean[0], p.mean[1], p.mean[2], p.std[0],
                                       p.std[1], p.std[2], p.to_rgb ? "RGB" : "BGR");
  if (p.kind == PreprocessKind::PaddleDetResize) {
    return fmt::format("PaddleOCR DetResizeForTest limit_type {} limit_side_len {} (max side {}), multiples of 32, scale {}, {}",
                       paddle_limit_type_name(p.limit_type), p.limit_side_len, p.max_side_limit, p.scale, norm);
  }
  return fmt::format("MMOCR {}.x rules, resize into {}x{}, {}, pad to {}", static_cast<int>(p.version), p.scale_long,
                     p.scale_short, norm, p.pad_divisor);
}

std::string describe_decoder(const DecoderParams& d) {
  if (d.kind == DecoderKind::Db) {
    const DbParams& b = d.db;
    std::string s = fmt::format("DB ({} rules), {}, mask_thr {}, min_text_score {}, unclip_ratio {}, max_candidates {}",
                                db_flavour_name(b.flavour), db_box_type_name(b.box_type), b.mask_thr, b.min_text_score,
                                b.unclip_ratio, b.max_candidates);
    if (b.flavour == DbFlavour::Paddle)
      return s + fmt::format(", score_mode {}, use_dilation {}", b.score_slow ? "slow" : "fast", b.use_dilation);
    return s + fmt::format(", min_text_width {}, epsilon_ratio {}", b.min_text_width, b.epsilon_ratio);
  }
  return fmt::format("TextSnake (MMOCR {}.x rules), min_center_conf {}, min_center_area {}, disk_overlap {}, radius_shrink {}",
                     static_cast<int>(d.version), d.min_center_region_confidence, d.min_center_area, d.disk_overlap_thr,
                     d.radius_shrink_ratio);
}

}  // namespace textq::cli
