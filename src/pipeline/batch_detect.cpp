#include "pipeline/batch_detect.h"

#include <exception>
#include <future>
#include <optional>

#include "textdet/image_io.h"
#include "textq/error.h"

namespace textq {

namespace {

// The decode of one image, running on a std::async thread.
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
  std::optional<PendingDecode> pending;
  try {
    for (size_t i = 0; i < items.size(); ++i) {
      cv::Mat bgr = load_image_bgr(items[i].path, options.max_image_pixels);
      auto net = std::make_shared<NetworkResult>(
          with_error_context(items[i].path, [&] { return detector.run_network(bgr); }));
      if (pending) {
        finish(*pending, items, on_done);
        pending.reset();
      }
      PendingDecode next;
      next.index = i;
      next.bgr = bgr;
      next.result = std::async(options.overlap ? std::launch::async : std::launch::deferred,
                               [&detector, net] { return detector.decode(*net); });
      pending = std::move(next);
    }
    if (pending) finish(*pending, items, on_done);
  } catch (...) {
    // Let an in-flight decode finish before unwinding (it references the detector).
    if (pending && pending->result.valid()) pending->result.wait();
    throw;
  }
}

}  // namespace textq
