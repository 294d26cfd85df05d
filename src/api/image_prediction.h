// A Detection as a predictions-file entry: what `detect`, `eval --model`,
// `quantize --max-drop` and the Python module's dataset detection write.
#pragma once

#include <string>

#include "formats/predictions.h"
#include "pipeline/detector.h"

namespace textq {

ImagePrediction to_image_prediction(const std::string& path, const Detection& det);

}  // namespace textq
