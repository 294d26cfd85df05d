#include "textdet/image_io.h"

#include <opencv2/imgcodecs.hpp>

#include "core/file_util.h"
#include "textdet/image_header.h"
#include "textdet/jpeg_decode.h"
#include "textq/error.h"

namespace textq {

void check_image_pixels(const std::string& path, const std::string& format, uint64_t width, uint64_t height,
                        uint64_t max_pixels) {
  // Division, not width * height: a huge limit must not let the product wrap.
  const bool over = width > max_pixels || height > max_pixels || (width != 0 && height > max_pixels / width);
  if (!over) return;
  throw Error(ErrorKind::InvalidFile, path + ": " + format + " header claims " + std::to_string(width) + "x" +
                                          std::to_string(height) + " pixels, more than the limit of " +
                                          std::to_string(max_pixels) +
                                          " pixels (--max-image-pixels); refused before decoding");
}

cv::Mat load_image_bgr(const std::string& path, uint64_t max_pixels) {
  const std::vector<uint8_t> bytes = read_file_bytes(path, kMaxImageFileBytes);
  if (bytes.empty()) throw Error(ErrorKind::InvalidFile, path + ": empty file (not an image)");
  const ImageHeader hdr = read_image_header(bytes, path);
  check_image_pixels(path, hdr.format, hdr.width, hdr.height, max_pixels);
  cv::Mat img;
  if (hdr.format == "jpeg" && decode_jpeg_bgr(bytes.data(), bytes.size(), path, &img)) return img;
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
