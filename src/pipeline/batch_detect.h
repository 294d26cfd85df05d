// Detection over many images as a three-stage pipeline: while the network
// runs image i, image i+1 is read and preprocessed and image i-1 decoded on
// side threads (single-threaded OpenCV/loop code next to the multi-threaded
// oneDNN run), so reading, preprocessing and decoding hide behind the network.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pipeline/detector.h"
#include "textdet/image_io.h"

namespace textq {

struct BatchItem {
  std::string path;        // image file to read
  Detection detection;     // filled by run_batch_detection
};

// Called on the caller's thread after each image is fully decoded, in input
// order (for progress, printing, --show). May throw to abort the batch.
using BatchCallback = std::function<void(size_t index, const BatchItem& item, const cv::Mat& bgr)>;

struct BatchOptions {
  uint64_t max_image_pixels = kDefaultMaxImagePixels;  // larger images are refused before decoding
  bool overlap = true;  // false: the stages run strictly one after another
};

// Runs every image; the first error (unreadable or too large image, backend
// failure) stops the batch and is rethrown with the image path as context.
void run_batch_detection(Detector& detector, std::vector<BatchItem>& items, const BatchCallback& on_done,
                         const BatchOptions& options);

}  // namespace textq
