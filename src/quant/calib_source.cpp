#include "quant/calib_source.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include "core/file_util.h"
#include "core/sha256.h"
#include "datasets/mmocr_json.h"
#include "textdet/image_io.h"
#include "textdet/preprocess.h"
#include "textq/error.h"

namespace textq::quant {
namespace fs = std::filesystem;

namespace {

bool is_image_name(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* x : {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".pnm", ".ppm", ".pgm"})
    if (e == x) return true;
  return false;
}

std::string canonical_or_self(const std::string& p) {
  std::error_code ec;
  const fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p : c.string();
}

// Unbiased integer in [0, n) from a 64-bit engine (rejection of the short top range).
uint64_t bounded(std::mt19937_64& rng, uint64_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = rng(); while (x >= limit);
  return x % n;
}

}  // namespace

std::vector<std::string> list_images(const std::string& source, const std::string& root) {
  std::error_code ec;
  if (!fs::exists(source, ec)) throw Error(ErrorKind::Io, source + ": no such file or directory");
  std::vector<std::string> out;
  if (fs::is_directory(source, ec)) {
    for (const fs::directory_entry& e : fs::directory_iterator(source, ec))
      if (e.is_regular_file() && is_image_name(e.path())) out.push_back(e.path().string());
    if (ec) throw Error(ErrorKind::Io, source + ": cannot list the folder: " + ec.message());
    std::sort(out.begin(), out.end());
    if (out.empty())
      throw Error(ErrorKind::InvalidArgument,
                  source + ": the folder holds no image files (.jpg .jpeg .png .bmp .tif .tiff .webp .pnm .ppm .pgm)");
    return out;
  }
  if (fs::path(source).extension() == ".txt") {  // a list file: one image path per line
    const fs::path base = root.empty() ? fs::path(source).parent_path() : fs::path(root);
    const std::string text = read_file_text(source);
    size_t line_no = 0, pos = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      const fs::path p(line);
      if (!is_image_name(p))
        throw Error(ErrorKind::InvalidFile, source + ": line " + std::to_string(line_no) + " (" + line +
                                                "): not an image file name (.jpg .jpeg .png .bmp .tif .tiff .webp .pnm .ppm .pgm)");
      out.push_back(p.is_absolute() ? line : (base / p).string());
    }
    if (out.empty()) throw Error(ErrorKind::InvalidArgument, source + ": the list file names no images");
    return out;
  }
  const datasets::Dataset ds = datasets::read_annotation_json(source);
  const fs::path base = root.empty() ? fs::path(source).parent_path() : fs::path(root);
  for (const datasets::ImageAnnotation& im : ds.images) out.push_back((base / im.img_path).string());
  if (out.empty()) throw Error(ErrorKind::InvalidArgument, source + ": the annotation file lists no images");
  return out;
}

std::vector<std::string> select_images(std::vector<std::string> images, int num, uint64_t seed) {
  std::sort(images.begin(), images.end());
  images.erase(std::unique(images.begin(), images.end()), images.end());
  if (num <= 0 || static_cast<size_t>(num) >= images.size()) return images;
  std::mt19937_64 rng(seed);
  for (size_t i = images.size() - 1; i > 0; --i) std::swap(images[i], images[bounded(rng, i + 1)]);
  images.resize(static_cast<size_t>(num));
  return images;
}

size_t check_overlap(const std::vector<std::string>& calib, const std::vector<std::string>& val, bool allow_overlap) {
  std::map<std::string, std::string> by_path, by_hash;
  auto hash_of = [](const std::string& p) {
    const std::vector<uint8_t> bytes = read_file_bytes(p, uint64_t(1) << 30);
    return sha256_hex(bytes.data(), bytes.size());
  };
  for (const std::string& c : calib) {
    by_path[canonical_or_self(c)] = c;
    by_hash[hash_of(c)] = c;
  }
  size_t overlaps = 0;
  for (const std::string& v : val) {
    std::string why, other;
    auto p = by_path.find(canonical_or_self(v));
    if (p != by_path.end()) {
      why = "is the same file as";
      other = p->second;
    } else {
      auto h = by_hash.find(hash_of(v));
      if (h != by_hash.end()) {
        why = "has the same content (SHA-256) as";
        other = h->second;
      }
    }
    if (why.empty()) continue;
    ++overlaps;
    if (!allow_overlap)
      throw Error(ErrorKind::InvalidArgument,
                  "validation image " + v + " " + why + " calibration image " + other +
                      ": calibrating on validation images inflates the measured accuracy; use disjoint sets or pass "
                      "--allow-overlap");
  }
  return overlaps;
}

CalibInputs image_inputs(const std::vector<std::string>& images, const PreprocessParams& params,
                         uint64_t max_image_pixels) {
  CalibInputs in;
  in.count = images.size();
  in.get = [images, params, max_image_pixels](size_t i) {
    const cv::Mat bgr = load_image_bgr(images.at(i), max_image_pixels);  // its errors name the file
    return with_error_context(images.at(i), [&] { return preprocess_image(bgr, params).input; });
  };
  return in;
}

}  // namespace textq::quant
