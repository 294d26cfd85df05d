// MMOCR TextSnake checkpoint -> textq model, shared by `textq convert`, the C
// API and the Python module.
#pragma once

#include <string>

#include "formats/model.h"
#include "importers/textsnake/textsnake_builder.h"

namespace textq {

// Graph (BN folded), pre/post-processing rules of MMOCR `mmocr_version` (0 or
// 1) and provenance (checkpoint name and sha256). *arch (optional) receives
// what the builder found.
Model convert_textsnake_checkpoint(const std::string& checkpoint, const TextSnakeBuildOptions& options,
                                   ArchInfo* arch = nullptr);

}  // namespace textq
