#include "show_image.h"

#include <filesystem>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include "core/file_util.h"
#include "textdet/draw.h"
#include "textq/error.h"

namespace fs = std::filesystem;

namespace textq::cli {

void ensure_output_dir(const std::string& dir, const char* flag) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) throw Error(ErrorKind::Io, fmt::format("{} {}: cannot create directory: {}", flag, dir, ec.message()));
}

void write_shown_image(const std::string& dir, const std::string& image_path, cv::Mat bgr, const Detection& det) {
  draw_instances(bgr, det.instances, cv::Scalar(0, 200, 0));
  const std::string out = (fs::path(dir) / (fs::path(image_path).stem().string() + ".jpg")).string();
  std::vector<uchar> buf;
  if (!cv::imencode(".jpg", bgr, buf)) throw Error(ErrorKind::Internal, "cannot encode " + out);
  write_text_atomic(out, std::string(buf.begin(), buf.end()));
}

}  // namespace textq::cli
