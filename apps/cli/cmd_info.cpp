// textq info MODEL: what a model file holds, without running it.
#include <filesystem>

#include <fmt/format.h>

#include "commands.h"
#include "formats/model.h"
#include "pipeline_options.h"

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
  fmt::print("preprocess    {}\n", describe_preprocess(m.preprocess));
  fmt::print("decoder       {}\n", describe_decoder(m.decoder));
}

}  // namespace

void register_info(CLI::App& app, const GlobalOptions&) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("info", "Describe a textq model file");
  cmd->add_option("model", *path, "textq model file")->required();
  cmd->callback([path] { run_info(*path); });
}

}  // namespace textq::cli
