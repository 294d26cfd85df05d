// Output helpers shared by detect and eval: --show pictures and turning a
// Detection into a predictions-file entry.
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "api/image_prediction.h"  // to_image_prediction, for the callers of these helpers
#include "formats/predictions.h"
#include "pipeline/detector.h"

namespace textq::cli {

// Creates `dir` (and parents) or throws Error(Io) naming the flag.
void ensure_output_dir(const std::string& dir, const char* flag);
// Writes DIR/<stem>.jpg: the image with polygons and scores drawn (atomic).
void write_shown_image(const std::string& dir, const std::string& image_path, cv::Mat bgr, const Detection& det);

}  // namespace textq::cli
