// textq convert CKPT.pth -o MODEL: an MMOCR TextSnake checkpoint becomes a
// textq model (graph with BN folded, weights, pre/post-processing, provenance).
#include <filesystem>

#include <fmt/format.h>

#include "api/convert.h"
#include "commands.h"
#include "formats/model.h"
#include "textq/error.h"

namespace textq::cli {

namespace {

struct ConvertArgs {
  std::string checkpoint;
  std::string output;
  int mmocr = 0;
  std::string style = "caffe";
};

void run_convert(const ConvertArgs& a, const GlobalOptions& g) {
  TextSnakeBuildOptions opt;
  opt.mmocr_version = a.mmocr;
  opt.style = a.style == "pytorch" ? ResNetStyle::Pytorch : ResNetStyle::Caffe;
  ArchInfo arch;
  const Model model = convert_textsnake_checkpoint(a.checkpoint, opt, &arch);
  save_model(model, a.output);

  if (!arch.head_prefix_as_expected)
    fmt::print(stderr, "textq: warning: --mmocr {} expects head prefix `{}` but the checkpoint has `{}.` (MMOCR {}.x names); converted anyway\n",
               a.mmocr, a.mmocr == 1 ? "det_head." : "bbox_head.", arch.head_prefix, arch.mmocr_version_found);
  if (!g.quiet) {
    fmt::print("{} -> {}\n", a.checkpoint, a.output);
    fmt::print("  architecture  {}\n", arch.summary());
    fmt::print("  tensors       {} used, {} num_batches_tracked ignored\n", arch.num_tensors_used, arch.num_ignored);
    fmt::print("  graph         {} nodes, {:.1f} GMAC at 1x3x736x1280\n", model.graph.nodes.size(),
               model.graph.count_macs({1, 3, 736, 1280}) / 1e9);
    fmt::print("  rules         MMOCR {}.x pre/post-processing\n", a.mmocr);
    fmt::print("  size          {:.1f} MB\n", std::filesystem::file_size(a.output) / 1e6);
  }
}

}  // namespace

void register_convert(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert an MMOCR TextSnake checkpoint (.pth) to a textq model");
  cmd->add_option("checkpoint", args->checkpoint, "MMOCR 0.x or 1.x TextSnake checkpoint (.pth)")->required();
  cmd->add_option("-o,--output", args->output, "Output textq model file")->required();
  cmd->add_option("--mmocr", args->mmocr, "MMOCR version whose names and arithmetic to follow (0 or 1)")
      ->check(CLI::IsMember({0, 1}))
      ->capture_default_str();
  cmd->add_option("--style", args->style, "ResNet style: caffe (stride on 1x1 conv, MMOCR's config) or pytorch")
      ->check(CLI::IsMember({"caffe", "pytorch"}))
      ->capture_default_str();
  cmd->callback([args, &global] { run_convert(*args, global); });
}

}  // namespace textq::cli
