// The in-memory textq model: graph + weights + pre/post-processing parameters
// + provenance. Serialised by model_file.{h,cpp}; format in docs/formats.md.
#pragma once

#include <string>

#include "ir/graph.h"
#include "textdet/params.h"

namespace textq {

struct ModelInfo {
  std::string architecture;      // e.g. "TextSnake ResNet50(caffe, width 64) + FPN_UNet + TextSnakeHead"
  std::string source_path;       // basename of the checkpoint it was converted from
  std::string source_sha256;     // sha256 of that checkpoint
  std::string precision = "fp32";  // "fp32" or "int8"
  std::string producer;          // "textq <version>"
};

struct Model {
  ModelInfo info;
  Graph graph;
  PreprocessParams preprocess;
  DecoderParams decoder;
};

// Writes atomically (temporary name, then rename): never a partial file.
void save_model(const Model& model, const std::string& path);
// Validates everything it reads (bounds, sizes, graph.verify()); throws
// Error(InvalidFile) naming the file, the section/offset and the rule.
Model load_model(const std::string& path);

}  // namespace textq
