// Calibration / validation image sets: listing (a folder, or an MMOCR
// annotation json + image root), deterministic selection for a seed, the
// model's own pre-processing, and the leakage guard between two sets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "quant/calibrator.h"
#include "textdet/image_io.h"
#include "textdet/params.h"

namespace textq::quant {

// source: a directory (its image files, non-recursive, sorted by name; by
// extension .jpg .jpeg .png .bmp .tif .tiff .webp .pnm .ppm .pgm) or an
// annotation json (0.x instances_*.json or 1.x textdet_*.json), whose
// img_path entries are resolved against root (default: the json's folder), or
// a list file (*.txt: one image path per line, '#' comments and blank lines
// skipped, relative paths resolved against root, default: the list's folder).
// Throws Error(Io) for a missing source, Error(InvalidArgument) if it lists no image.
std::vector<std::string> list_images(const std::string& source, const std::string& root = "");

// The first `num` images of a seeded Fisher-Yates shuffle (mt19937_64(seed),
// unbiased bounded draws) of the sorted list; num <= 0 or >= size: all images
// in sorted order. The same list, num and seed always give the same result.
std::vector<std::string> select_images(std::vector<std::string> images, int num, uint64_t seed);

// Refuses (Error(InvalidArgument)) when a validation image is also a
// calibration image, by canonical path or by SHA-256 of the file bytes,
// naming the first pair and the rule; allow_overlap = true only counts.
// Returns the number of overlapping validation images.
size_t check_overlap(const std::vector<std::string>& calib, const std::vector<std::string>& val, bool allow_overlap);

// Inputs that load and pre-process images[i] on demand (load_image_bgr +
// preprocess_image); errors name the image. An image whose header claims
// more than max_image_pixels pixels is refused before decoding.
CalibInputs image_inputs(const std::vector<std::string>& images, const PreprocessParams& params,
                         uint64_t max_image_pixels = kDefaultMaxImagePixels);

}  // namespace textq::quant
