#include "textdet/image_io.h"

#include <opencv2/imgcodecs.hpp>

#include "core/file_util.h"
#include "textdet/image_header.h"
#include "textq/error.h"

namespace textq {

cv::Mat load_image_bgr(const std::string& path, uint64_t max_pixels) {
  const std::vector<uint8_t> bytes = read_file_bytes(path, kMaxImageFileBytes);
  if (bytes.empty()) throw Error(ErrorKind::InvalidFile, path + ": empty file (not an image)");
  const ImageHeader hdr = read_image_header(bytes, path);
  if (hdr.width > max_pixels || hdr.height > max_pixels ||
      hdr.width * hdr.height > max_pixels) {
    throw Error(ErrorKind::InvalidFile,
                path + ": " + hdr.format + " header claims " + std::to_string(hdr.width) + "x" +
                    std::to_string(hdr.height) + " pixels, more than the limit of " +
                    std::to_string(max_pixels) + " (refused before decoding)");
  }
  cv::Mat img;
  try {
    const cv::Mat buf(1, static_cast<int>(bytes.size()), CV_8U, const_cast<uint8_t*>(bytes.data()));
    img = cv::imdecode(buf, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception& e) {
    throw Error(ErrorKind::InvalidFile, path + ": cannot decode " + hdr.format + ": " + e.err);
  }
  if (img.empty() || img.type() != CV_8UC3)
    throw Error(ErrorKind::InvalidFile, path + ": cannot decode " + hdr.format +
                                            " image (corrupt or truncated data)");
  return img;
}

}  // namespace textq
