// Image width/height from the file header (JPEG SOFn + EXIF orientation, PNG
// IHDR) without decoding pixels; other formats fall back to a full OpenCV
// decode. Throws Error(InvalidFile) for a file that is not a readable image.
#pragma once

#include <string>

namespace textq::datasets {

struct ImageSize {
  int width = 0, height = 0;
};

// apply_exif_orientation = false: what cv2.imread(IMREAD_UNCHANGED) reports
// (MMOCR 0.x converters); true: what cv2.imread(IMREAD_COLOR) reports, i.e.
// width and height swapped for EXIF orientations 5..8 (MMOCR 1.x packers).
ImageSize read_image_size(const std::string& path, bool apply_exif_orientation);

}  // namespace textq::datasets
