#include "api/convert.h"

#include <filesystem>

#include "importers/pytorch/state_dict.h"
#include "textq/error.h"

namespace textq {

Model convert_textsnake_checkpoint(const std::string& checkpoint, const TextSnakeBuildOptions& options, ArchInfo* arch) {
  if (options.mmocr_version != 0 && options.mmocr_version != 1)
    throw Error(ErrorKind::InvalidArgument, "--mmocr must be 0 or 1, got " + std::to_string(options.mmocr_version));
  const StateDict sd = load_pth(checkpoint);
  ArchInfo found;
  Model model;
  model.graph = with_error_context(checkpoint, [&] { return build_textsnake_graph(sd, options, &found); });
  const MmocrVersion version = options.mmocr_version == 1 ? MmocrVersion::v1 : MmocrVersion::v0;
  model.preprocess.version = version;
  model.decoder.version = version;
  model.info.architecture = found.summary();
  model.info.source_path = std::filesystem::path(checkpoint).filename().string();
  model.info.source_sha256 = sha256_file(checkpoint);
  model.info.precision = "fp32";
  model.info.producer = "textq 0.1.0";
  if (arch) *arch = found;
  return model;
}

}  // namespace textq
