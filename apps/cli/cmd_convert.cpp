// textq convert CKPT.pth|MODEL.onnx -o MODEL: an MMOCR TextSnake checkpoint or
// an ONNX detector becomes a textq model (graph with BN folded, weights,
// pre/post-processing from the pipeline flags, provenance).
#include <filesystem>

#include <fmt/format.h>

#include "api/convert.h"
#include "commands.h"
#include "formats/model.h"
#include "importers/onnx/onnx_import.h"
#include "pipeline_options.h"
#include "textq/error.h"

namespace textq::cli {

namespace {

struct ConvertArgs {
  std::string checkpoint;
  std::string output;
  int mmocr = 0;
  std::string style = "caffe";
};

// MODEL.onnx: any detector the ONNX importer can read (docs/onnx_import.md).
void run_convert_onnx(const ConvertArgs& a, const PipelineFlags& pipeline, const GlobalOptions& g) {
  OnnxImportInfo info;
  Model model;
  model.graph = import_onnx(a.checkpoint, &info);
  model.info.architecture = "ONNX graph (opset " + std::to_string(info.opset) + ", " +
                            (info.producer.empty() ? std::string("unknown producer") : info.producer) + ")";
  model.info.source_path = std::filesystem::path(a.checkpoint).filename().string();
  model.info.source_sha256 = sha256_file(a.checkpoint);
  model.info.precision = "fp32";
  model.info.producer = "textq 0.1.0";
  // The graph carries no pre/post-processing: the flags or --pipeline json
  // say it (docs/db_decoder.md); without them, MMOCR's TextSnake defaults.
  apply_pipeline_options(pipeline, &model);
  save_model(model, a.output);
  if (g.quiet) return;
  fmt::print("{} -> {}\n", a.checkpoint, a.output);
  fmt::print("  architecture  {}\n", model.info.architecture);
  std::string ops;
  for (const auto& [op, count] : info.op_counts) ops += (ops.empty() ? "" : ", ") + op + " " + std::to_string(count);
  fmt::print("  onnx          {} nodes: {}\n", info.onnx_nodes, ops);
  for (const std::string& f : info.fusions) fmt::print("  simplified    {}\n", f);
  const int64_t c = info.input_channels > 0 ? info.input_channels : 3;
  fmt::print("  graph         {} nodes, {:.2f} GMAC at 1x{}x640x640\n", model.graph.nodes.size(),
             model.graph.count_macs({1, c, 640, 640}) / 1e9, c);
  fmt::print("  preprocess    {}\n", describe_preprocess(model.preprocess));
  fmt::print("  decoder       {}\n", describe_decoder(model.decoder));
  fmt::print("  size          {:.1f} MB\n", std::filesystem::file_size(a.output) / 1e6);
}

void run_convert(const ConvertArgs& a, const PipelineFlags& pipeline, const GlobalOptions& g) {
  if (looks_like_onnx_path(a.checkpoint)) return run_convert_onnx(a, pipeline, g);
  TextSnakeBuildOptions opt;
  opt.mmocr_version = a.mmocr;
  opt.style = a.style == "pytorch" ? ResNetStyle::Pytorch : ResNetStyle::Caffe;
  ArchInfo arch;
  Model model = convert_textsnake_checkpoint(a.checkpoint, opt, &arch);
  apply_pipeline_options(pipeline, &model);
  if (model.decoder.kind != DecoderKind::TextSnake)
    throw Error(ErrorKind::InvalidArgument, a.checkpoint + ": a TextSnake checkpoint needs the textsnake decoder");
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
    fmt::print("  preprocess    {}\n", describe_preprocess(model.preprocess));
    fmt::print("  decoder       {}\n", describe_decoder(model.decoder));
    fmt::print("  size          {:.1f} MB\n", std::filesystem::file_size(a.output) / 1e6);
  }
}

}  // namespace

void register_convert(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert an MMOCR TextSnake checkpoint (.pth) or an ONNX detector (.onnx) to a textq model");
  cmd->add_option("checkpoint", args->checkpoint, "MMOCR 0.x or 1.x TextSnake checkpoint (.pth), or MODEL.onnx")->required();
  cmd->add_option("-o,--output", args->output, "Output textq model file")->required();
  cmd->add_option("--mmocr", args->mmocr, "MMOCR version whose names and arithmetic to follow (0 or 1)")
      ->check(CLI::IsMember({0, 1}))
      ->capture_default_str();
  cmd->add_option("--style", args->style, "ResNet style: caffe (stride on 1x1 conv, MMOCR's config) or pytorch")
      ->check(CLI::IsMember({"caffe", "pytorch"}))
      ->capture_default_str();
  auto pipeline = add_pipeline_options(cmd);
  cmd->callback([args, pipeline, &global] { run_convert(*args, *pipeline, global); });
}

}  // namespace textq::cli
