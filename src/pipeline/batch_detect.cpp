#include "pipeline/batch_detect.h"

#include <chrono>
#include <exception>
#include <future>
#include <optional>

#include "textdet/image_io.h"
#include "textq/error.h"

namespace textq {

namespace {

// Stage 1 of one image (read + preprocess), running on a std::async thread
// while the network works on the previous image.
struct Loaded {
  cv::Mat bgr;
  PreprocessResult pre;
  double ms_preprocess = 0;
};

Loaded load_and_preprocess(const Detector& detector, const std::string& path, uint64_t max_image_pixels) {
  Loaded l;
  l.bgr = load_image_bgr(path, max_image_pixels);
  const auto t0 = std::chrono::steady_clock::now();
  l.pre = detector.preprocess(l.bgr);
  l.ms_preprocess = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return l;
}

// Stage 3 of one image (decode), running on a std::async thread.
struct PendingDecode {
  size_t index = 0;
  cv::Mat bgr;
  std::future<Detection> result;
};

void finish(PendingDecode& p, std::vector<BatchItem>& items, const BatchCallback& on_done) {
  items[p.index].detection = with_error_context(items[p.index].path, [&] { return p.result.get(); });
  if (on_done) on_done(p.index, items[p.index], p.bgr);
}

}  // namespace

void run_batch_detection(Detector& detector, std::vector<BatchItem>& items, const BatchCallback& on_done,
                         const BatchOptions& options) {
  const std::launch side = options.overlap ? std::launch::async : std::launch::deferred;
  auto start_load = [&](size_t i) {
    return std::async(side, [&detector, &items, i, &options] {
      return load_and_preprocess(detector, items[i].path, options.max_image_pixels);
    });
  };
  std::optional<PendingDecode> pending;
  std::future<Loaded> next_load;
  try {
    if (!items.empty()) next_load = start_load(0);
    for (size_t i = 0; i < items.size(); ++i) {
      Loaded loaded = with_error_context(items[i].path, [&] { return next_load.get(); });
      // The next image is read and preprocessed while the network runs this one.
      if (i + 1 < items.size()) next_load = start_load(i + 1);
      auto net = std::make_shared<NetworkResult>(with_error_context(
          items[i].path, [&] { return detector.run_network(std::move(loaded.pre), loaded.ms_preprocess); }));
      if (pending) {
        finish(*pending, items, on_done);
        pending.reset();
      }
      PendingDecode next;
      next.index = i;
      next.bgr = loaded.bgr;
      next.result = std::async(side, [&detector, net] { return detector.decode(*net); });
      pending = std::move(next);
    }
    if (pending) finish(*pending, items, on_done);
  } catch (...) {
    // Let in-flight side work finish before unwinding (it references the detector and items).
    if (pending && pending->result.valid()) pending->result.wait();
    if (next_load.valid()) next_load.wait();
    throw;
  }
}

}  // namespace textq
