// A one-line progress display on stderr: "label  123/500  41.3/s  ETA 0:07".
// Silent when disabled (--quiet) or when stderr is not a terminal, so logs and
// pipes stay clean.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace textq::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, bool enabled);
  ~ProgressBar();  // finishes the line if still open
  // Sets the number of items done; redraws at most ~10 times a second.
  void update(int64_t done);
  // Final redraw and newline.
  void finish();

 private:
  void draw(int64_t done);

  std::string label_;
  int64_t total_;
  bool active_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace textq::cli
