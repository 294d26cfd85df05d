// Thinning as in scikit-image 0.19 (_skeletonize_cy.pyx, _fast_skeletonize):
// Zhang-Suen-like two sub-pass iterations driven by a 256-entry table that
// is NOT the textbook rule set (25 entries differ). The table is listed in
// docs/textsnake_decoder.md (spec Appendix B).
#include "textdet/skeletonize.h"

#include <array>
#include <string>

#include "textq/error.h"

namespace textq {
namespace {

// 1 = removable in sub-pass 1, 2 = in sub-pass 2, 3 = in both.
// Neighbour bits: NW=1, N=2, NE=4, E=8, SE=16, S=32, SW=64, W=128.
std::array<uint8_t, 256> make_lut() {
  std::array<uint8_t, 256> lut{};
  for (int c : {3, 6, 11, 12, 14, 131, 134, 143, 159, 161, 194, 198, 207, 227, 231, 243}) lut[c] = 1;
  for (int c : {24, 26, 56, 62, 63, 96, 104, 108, 126, 176, 192, 224, 248, 249, 252}) lut[c] = 2;
  for (int c : {7, 10, 15, 28, 30, 31, 40, 60, 112, 120, 124, 130, 135, 160, 193, 195, 199, 225,
                240, 241})
    lut[c] = 3;
  return lut;
}

}  // namespace

std::vector<uint8_t> skeletonize(const std::vector<uint8_t>& mask, int rows, int cols) {
  if (rows < 0 || cols < 0 ||
      mask.size() < static_cast<size_t>(rows) * static_cast<size_t>(cols)) {
    throw Error(ErrorKind::InvalidArgument,
                "skeletonize: mask of " + std::to_string(mask.size()) + " bytes is not " +
                    std::to_string(rows) + "x" + std::to_string(cols));
  }
  static const std::array<uint8_t, 256> lut = make_lut();
  const int pw = cols + 2;  // one zero pixel of padding on every side
  std::vector<uint8_t> img(static_cast<size_t>(rows + 2) * pw, 0);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x)
      img[(y + 1) * static_cast<size_t>(pw) + x + 1] = mask[y * static_cast<size_t>(cols) + x] != 0;

  std::vector<size_t> removed;
  bool changed = true;
  while (changed) {
    changed = false;
    for (int pass = 1; pass <= 2; ++pass) {
      // Codes are read from the image as it was at the start of the sub-pass,
      // so removals are collected and applied afterwards.
      removed.clear();
      for (int y = 1; y <= rows; ++y) {
        const uint8_t* up = &img[(y - 1) * static_cast<size_t>(pw)];
        const uint8_t* mid = up + pw;
        const uint8_t* dn = mid + pw;
        for (int x = 1; x <= cols; ++x) {
          if (!mid[x]) continue;
          const int code = up[x - 1] | (up[x] << 1) | (up[x + 1] << 2) | (mid[x + 1] << 3) |
                           (dn[x + 1] << 4) | (dn[x] << 5) | (dn[x - 1] << 6) | (mid[x - 1] << 7);
          const uint8_t t = lut[code];
          if (t == 3 || t == pass) removed.push_back(y * static_cast<size_t>(pw) + x);
        }
      }
      for (size_t i : removed) img[i] = 0;
      if (!removed.empty()) changed = true;
    }
  }

  std::vector<uint8_t> out(static_cast<size_t>(rows) * cols);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x)
      out[y * static_cast<size_t>(cols) + x] = img[(y + 1) * static_cast<size_t>(pw) + x + 1];
  return out;
}

}  // namespace textq
