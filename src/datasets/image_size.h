// Image width/height from the file header (JPEG SOFn + EXIF orientation, PNG
// IHDR) without decoding pixels; BMP, TIFF, WebP and PNM (recognised by
// read_image_header) are decoded by OpenCV. Throws Error(InvalidFile) for any
// other file and for a file that is not a readable image.
#pragma once

#include <cstdint>
#include <string>

#include "textdet/image_io.h"

namespace textq::datasets {

struct ImageSize {
  int width = 0, height = 0;
};

// apply_exif_orientation = false: what cv2.imread(IMREAD_UNCHANGED) reports
// (MMOCR 0.x converters); true: what cv2.imread(IMREAD_COLOR) reports, i.e.
// width and height swapped for EXIF orientations 5..8 (MMOCR 1.x packers).
// An image whose header claims more than max_pixels pixels is refused (as
// detect would refuse it), whatever its format.
ImageSize read_image_size(const std::string& path, bool apply_exif_orientation,
                          uint64_t max_pixels = kDefaultMaxImagePixels);

}  // namespace textq::datasets
