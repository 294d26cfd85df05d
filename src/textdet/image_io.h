// Image loading as MMOCR's LoadImageFromFile(color_type='color_ignore_orientation').
#pragma once

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace textq {

// Default refusal limit: 100 million pixels (e.g. 10000 x 10000). MMOCR would
// shrink such an image to at most 1333 x 736 anyway; the limit stops a small
// file with a forged header from making the decoder allocate gigabytes.
// Callers take the limit from their options (the CLI's --max-image-pixels).
constexpr uint64_t kDefaultMaxImagePixels = 100'000'000;
constexpr uint64_t kMaxImageFileBytes = 1ull << 30;  // 1 GiB

// Throws Error(InvalidFile) when width x height (as the header of `path`
// claims, in `format`) exceeds max_pixels; the message names the file, the
// claimed size, the limit and the flag that raises it.
void check_image_pixels(const std::string& path, const std::string& format, uint64_t width, uint64_t height,
                        uint64_t max_pixels);

// Decodes with IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION into 8-bit BGR
// (grey and 16-bit images are converted as OpenCV does). Throws Error(Io) if
// the file cannot be opened or read, Error(InvalidFile) if it is not a
// supported image (PNG, JPEG, BMP, TIFF, WebP, PNM), is truncated or
// undecodable, or its header claims more than max_pixels pixels (checked
// before decoding).
cv::Mat load_image_bgr(const std::string& path, uint64_t max_pixels = kDefaultMaxImagePixels);

}  // namespace textq
