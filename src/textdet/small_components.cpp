#include "textdet/small_components.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "textq/error.h"

namespace textq {

namespace {

// One bit per pixel of a row, bit x of word x / 64 set where the pixel is non-zero.
void row_bits(const uint8_t* row, int w, std::vector<uint64_t>& bits) {
  const uint64_t low7 = 0x7f7f7f7f7f7f7f7full, high = 0x8080808080808080ull;
  std::fill(bits.begin(), bits.end(), 0);
  for (int x = 0; x < w; x += 8) {
    uint64_t chunk = 0;
    std::memcpy(&chunk, row + x, static_cast<size_t>(std::min(8, w - x)));
    if (!chunk) continue;
    const uint64_t nonzero = (((chunk & low7) + low7) | chunk) & high;  // top bit of each non-zero byte
    const uint64_t gathered = ((nonzero >> 7) * 0x0102040810204080ull) >> 56;  // byte i -> bit i
    bits[x >> 6] |= gathered << (x & 63);
  }
}

// First x >= from (below w) whose bit equals `set`, else w.
int next_bit(const std::vector<uint64_t>& bits, int from, int w, bool set) {
  const int words = static_cast<int>(bits.size());
  int b = from >> 6;
  uint64_t m = (set ? bits[b] : ~bits[b]) & (~0ull << (from & 63));
  while (!m) {
    if (++b == words) return w;
    m = set ? bits[b] : ~bits[b];
  }
  return std::min(w, b * 64 + __builtin_ctzll(m));
}

struct Run {
  int x0, x1;  // inclusive
};

int find_root(std::vector<int>& parent, int i) {
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];  // path halving
    i = parent[i];
  }
  return i;
}

void unite(std::vector<int>& parent, int a, int b) {
  a = find_root(parent, a), b = find_root(parent, b);
  if (a != b) parent[std::max(a, b)] = std::min(a, b);
}

}  // namespace

int clear_small_components(cv::Mat& mask, double min_area) {
  if (mask.type() != CV_8U)
    throw Error(ErrorKind::InvalidArgument, "clear_small_components: expected an 8-bit single-channel mask");
  if (!(min_area > 0)) return 0;
  const int h = mask.rows, w = mask.cols;
  // Runs of non-zero pixels row by row, joined with the runs of the row above
  // they touch (8-connectivity: overlapping or diagonal by one column).
  std::vector<Run> runs;
  std::vector<int> row_begin(static_cast<size_t>(h) + 1, 0);
  std::vector<int> parent;
  std::vector<uint64_t> bits(static_cast<size_t>(w + 63) / 64);
  for (int y = 0; y < h; ++y) {
    row_begin[y] = static_cast<int>(runs.size());
    row_bits(mask.ptr<uint8_t>(y), w, bits);
    const int above_end = row_begin[y];
    int a = y > 0 ? row_begin[y - 1] : 0;  // the row above's first run not yet passed
    int x = next_bit(bits, 0, w, true);
    while (x < w) {
      const int end = next_bit(bits, x, w, false);  // one past the run
      const int id = static_cast<int>(runs.size());
      runs.push_back({x, end - 1});
      parent.push_back(id);
      while (a < above_end && runs[a].x1 < x - 1) ++a;
      for (int k = a; k < above_end && runs[k].x0 <= end; ++k) unite(parent, id, k);
      x = end < w ? next_bit(bits, end, w, true) : w;
    }
  }
  row_begin[h] = static_cast<int>(runs.size());

  // Bounding box per component (kept at its root), then clear the small ones.
  struct Box {
    int x0, x1, y0, y1;
  };
  std::vector<Box> box(runs.size());
  for (int y = 0; y < h; ++y) {
    for (int i = row_begin[y]; i < row_begin[y + 1]; ++i) {
      const int r = find_root(parent, i);
      parent[i] = r;  // for the clearing pass
      if (r == i) {
        box[r] = {runs[i].x0, runs[i].x1, y, y};
      } else {
        Box& b = box[r];  // the root is the component's first run (lowest index): already set
        b.x0 = std::min(b.x0, runs[i].x0), b.x1 = std::max(b.x1, runs[i].x1), b.y1 = y;
      }
    }
  }
  int cleared = 0;
  for (int y = 0; y < h; ++y) {
    uint8_t* row = mask.ptr<uint8_t>(y);
    for (int i = row_begin[y]; i < row_begin[y + 1]; ++i) {
      const Box& b = box[parent[i]];
      const double area = static_cast<double>(b.x1 - b.x0) * (b.y1 - b.y0);
      if (area >= min_area) continue;
      std::memset(row + runs[i].x0, 0, static_cast<size_t>(runs[i].x1 - runs[i].x0 + 1));
      cleared += parent[i] == i;
    }
  }
  return cleared;
}

}  // namespace textq
