// textq info MODEL: what a model file holds, without running it.
#include <filesystem>

#include <fmt/format.h>

#include "commands.h"
#include "formats/model.h"

namespace textq::cli {

namespace {

void run_info(const std::string& path) {
  const Model m = load_model(path);
  int64_t params = 0, convs = 0, deconvs = 0, int8_nodes = 0;
  for (const Node& n : m.graph.nodes) {
    params += n.weight.numel() + n.bias.numel();
    convs += n.op == OpKind::Conv;
    deconvs += n.op == OpKind::ConvTranspose;
    int8_nodes += n.quant.enabled;
  }
  const Shape ref_shape = {1, 3, 736, 1280};
  fmt::print("file          {} ({:.1f} MB)\n", path, std::filesystem::file_size(path) / 1e6);
  fmt::print("architecture  {}\n", m.info.architecture);
  fmt::print("precision     {} ({} of {} conv/deconv nodes INT8)\n", m.info.precision, int8_nodes, convs + deconvs);
  fmt::print("source        {} sha256 {}\n", m.info.source_path, m.info.source_sha256);
  fmt::print("producer      {}\n", m.info.producer);
  fmt::print("graph         {} nodes ({} Conv, {} ConvTranspose), {} parameters\n", m.graph.nodes.size(), convs, deconvs, params);
  fmt::print("cost          {:.1f} GMAC at 1x3x736x1280\n", m.graph.count_macs(ref_shape) / 1e9);
  const PreprocessParams& p = m.preprocess;
  fmt::print("preprocess    MMOCR {}.x rules, resize into {}x{}, mean ({}, {}, {}), std ({}, {}, {}), to_rgb {}, pad to {}\n",
             static_cast<int>(p.version), p.scale_long, p.scale_short, p.mean[0], p.mean[1], p.mean[2], p.std[0], p.std[1], p.std[2],
             p.to_rgb, p.pad_divisor);
  const DecoderParams& d = m.decoder;
  fmt::print("decoder       MMOCR {}.x rules, min_center_conf {}, min_center_area {}, disk_overlap {}, radius_shrink {}\n",
             static_cast<int>(d.version), d.min_center_region_confidence, d.min_center_area, d.disk_overlap_thr, d.radius_shrink_ratio);
}

}  // namespace

void register_info(CLI::App& app, const GlobalOptions&) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("info", "Describe a textq model file");
  cmd->add_option("model", *path, "textq model file")->required();
  cmd->callback([path] { run_info(*path); });
}

}  // namespace textq::cli
