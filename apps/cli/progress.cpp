#include "progress.h"

#include <unistd.h>

#include <cstdio>

namespace textq::cli {

ProgressBar::ProgressBar(std::string label, int64_t total, bool enabled)
    : label_(std::move(label)), total_(total), active_(enabled && ::isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  if (!finished_) finish();
}

void ProgressBar::update(int64_t done) {
  if (!active_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(done);
}

void ProgressBar::draw(int64_t done) {
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = secs > 0 ? done / secs : 0.0;
  char eta[32] = "--:--";
  if (rate > 0 && total_ >= done) {
    const int64_t left = static_cast<int64_t>((total_ - done) / rate + 0.5);
    std::snprintf(eta, sizeof eta, "%lld:%02lld", static_cast<long long>(left / 60), static_cast<long long>(left % 60));
  }
  std::fprintf(stderr, "\r%s  %lld/%lld  %.1f/s  ETA %s\033[K", label_.c_str(), static_cast<long long>(done),
               static_cast<long long>(total_), rate, eta);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (!active_) return;
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace textq::cli
