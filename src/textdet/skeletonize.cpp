// Thinning as in scikit-image 0.19 (_skeletonize_cy.pyx, _fast_skeletonize):
// Zhang-Suen-like two sub-pass iterations driven by a 256-entry table that
// is NOT the textbook rule set (25 entries differ). The table is listed in
// docs/textsnake_decoder.md (spec Appendix B).
#include "textdet/skeletonize.h"

#include <array>
#include <cstddef>
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

  // Work lists instead of full scans. A foreground pixel with all 8
  // neighbours set has code 255, never removable; and a pixel found not
  // removable in sub-pass p stays so until a neighbour is removed. So sub-pass
  // p evaluates only its list: pixels never evaluated in p (initially the
  // border pixels) or with a neighbour removed since. Decisions within a
  // sub-pass read the image as it was at its start and are applied afterwards,
  // so list order does not matter and every sub-pass removes exactly the
  // pixels the full scan removes.
  const ptrdiff_t nb[8] = {-pw - 1, -pw, -pw + 1, 1, pw + 1, pw, pw - 1, -1};
  std::vector<uint8_t> queued[2] = {std::vector<uint8_t>(img.size(), 0),
                                    std::vector<uint8_t>(img.size(), 0)};
  std::vector<size_t> work[2], current, removed;
  for (int y = 1; y <= rows; ++y) {
    for (int x = 1; x <= cols; ++x) {
      const size_t i = y * static_cast<size_t>(pw) + x;
      if (!img[i]) continue;
      bool edge = false;
      for (ptrdiff_t d : nb) edge |= !img[i + d];
      if (!edge) continue;
      for (int q = 0; q < 2; ++q) {
        work[q].push_back(i);
        queued[q][i] = 1;
      }
    }
  }
  bool changed = true;
  while (changed) {
    changed = false;
    for (int pass = 1; pass <= 2; ++pass) {
      const int q = pass - 1;
      current.swap(work[q]);
      work[q].clear();
      removed.clear();
      for (size_t i : current) {
        queued[q][i] = 0;
        if (!img[i]) continue;
        const uint8_t* p = &img[i];
        const int code = p[nb[0]] | (p[nb[1]] << 1) | (p[nb[2]] << 2) | (p[nb[3]] << 3) |
                         (p[nb[4]] << 4) | (p[nb[5]] << 5) | (p[nb[6]] << 6) | (p[nb[7]] << 7);
        const uint8_t t = lut[code];
        if (t == 3 || t == pass) removed.push_back(i);
      }
      for (size_t i : removed) img[i] = 0;
      for (size_t i : removed) {
        for (ptrdiff_t d : nb) {
          const size_t j = i + d;
          if (!img[j]) continue;
          for (int r = 0; r < 2; ++r) {
            if (!queued[r][j]) {
              queued[r][j] = 1;
              work[r].push_back(j);
            }
          }
        }
      }
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
