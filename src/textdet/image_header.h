// Reads an encoded image's dimensions from its header without decoding it,
// so absurd sizes can be refused before any pixel buffer is allocated.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace textq {

struct ImageHeader {
  std::string format;  // "png", "jpeg", "bmp", "tiff", "webp", "pnm"
  uint64_t width = 0, height = 0;
};

// Recognises PNG, JPEG, BMP, TIFF, WebP and PNM (P1-P6). Throws
// Error(InvalidFile) naming `name`, the offset and the rule for anything else
// (not an image, truncated header, zero size, or a JPEG without its end marker).
ImageHeader read_image_header(const std::vector<uint8_t>& bytes, const std::string& name);

}  // namespace textq
