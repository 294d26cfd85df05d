#include "datasets/image_size.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "textdet/image_header.h"
#include "textdet/image_io.h"
#include "textq/error.h"

namespace textq::datasets {
namespace {

constexpr uint64_t kHeaderBytes = 1u << 20;  // enough for JPEG APP segments before SOF in practice

[[noreturn]] void bad(const std::string& path, const std::string& rule) {
  throw Error(ErrorKind::InvalidFile, path + ": " + rule);
}

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

// EXIF orientation (tag 0x0112 of IFD0) from an APP1 payload, 1 if absent.
int exif_orientation(const uint8_t* p, size_t n) {
  if (n < 14 || std::string(reinterpret_cast<const char*>(p), 6) != std::string("Exif\0\0", 6)) return 1;
  const uint8_t* t = p + 6;
  const size_t tn = n - 6;
  const bool le = t[0] == 'I' && t[1] == 'I';
  if (!le && !(t[0] == 'M' && t[1] == 'M')) return 1;
  auto u16 = [&](size_t o) -> uint32_t { return le ? (t[o] | t[o + 1] << 8) : (t[o] << 8 | t[o + 1]); };
  auto u32 = [&](size_t o) -> uint32_t { return le ? (u16(o) | u16(o + 2) << 16) : (u16(o) << 16 | u16(o + 2)); };
  const uint32_t ifd = u32(4);
  if (ifd > tn || tn - ifd < 2) return 1;  // not ifd + 2 > tn: that wraps for ifd near 2^32
  const uint32_t count = u16(ifd);
  for (uint32_t i = 0; i < count; ++i) {
    const size_t e = ifd + 2 + 12 * size_t(i);
    if (e + 12 > tn) return 1;
    if (u16(e) == 0x0112) {
      const uint32_t v = u16(e + 8);
      return v >= 1 && v <= 8 ? static_cast<int>(v) : 1;
    }
  }
  return 1;
}

bool jpeg_size(const std::vector<uint8_t>& b, ImageSize* out, int* orientation) {
  if (b.size() < 4 || b[0] != 0xFF || b[1] != 0xD8) return false;
  size_t i = 2;
  *orientation = 1;
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF) return false;
    uint8_t m = b[i + 1];
    if (m == 0xFF) { ++i; continue; }  // fill byte
    if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) { i += 2; continue; }
    const size_t len = be16(&b[i + 2]);
    if (len < 2 || i + 2 + len > b.size()) return false;
    const uint8_t* seg = &b[i + 4];
    if (m == 0xE1 && *orientation == 1) *orientation = exif_orientation(seg, len - 2);
    const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof) {
      if (len < 7) return false;
      out->height = be16(seg + 1);
      out->width = be16(seg + 3);
      return out->width > 0 && out->height > 0;
    }
    if (m == 0xD9 || m == 0xDA) return false;  // no frame header before the scan
    i += 2 + len;
  }
  return false;
}

bool png_size(const std::vector<uint8_t>& b, ImageSize* out) {
  static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (b.size() < 24 || !std::equal(sig, sig + 8, b.begin())) return false;
  if (std::string(reinterpret_cast<const char*>(&b[12]), 4) != "IHDR") return false;
  const uint32_t w = be32(&b[16]), h = be32(&b[20]);
  if (w == 0 || h == 0 || w > (1u << 30) || h > (1u << 30)) return false;
  out->width = static_cast<int>(w);
  out->height = static_cast<int>(h);
  return true;
}

}  // namespace

ImageSize read_image_size(const std::string& path, bool apply_exif_orientation, uint64_t max_pixels) {
  // Read at most kHeaderBytes, growing as needed: most headers sit in the
  // first few KiB, and a 1 MiB zero-filled buffer per call dominated the cost.
  std::vector<uint8_t> head;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(ErrorKind::Io, "cannot open " + path + ": " + std::strerror(errno));
  uint8_t chunk[16384];
  while (head.size() < kHeaderBytes) {
    const size_t want = std::min<size_t>(sizeof chunk, kHeaderBytes - head.size());
    const size_t got = std::fread(chunk, 1, want, f);
    head.insert(head.end(), chunk, chunk + got);
    if (got < want) break;
  }
  std::fclose(f);
  ImageSize s;
  int orientation = 1;
  const bool jpeg = jpeg_size(head, &s, &orientation);
  if (jpeg || png_size(head, &s)) {
    // Nothing is decoded here, but an image detect would refuse is refused now.
    check_image_pixels(path, jpeg ? "jpeg" : "png", uint64_t(s.width), uint64_t(s.height), max_pixels);
    if (jpeg && apply_exif_orientation && orientation >= 5) std::swap(s.width, s.height);
    return s;
  }
  // BMP, TIFF, WebP, PNM: OpenCV decodes it (their size rules, e.g. TIFF
  // orientation, are OpenCV's), but only once our own header reader has
  // recognised one of those formats and its size is within the limit. Any
  // other file never reaches OpenCV: imread picks a decoder by signature, and
  // some (GDCM for DICOM) abort the process on a malformed file (found by
  // fuzzing, tests/fuzz/regressions/image_size/dicom_signature_aborts_gdcm).
  const ImageHeader hdr = read_image_header(head, path);  // throws, naming the offset and the rule
  check_image_pixels(path, hdr.format, hdr.width, hdr.height, max_pixels);
  cv::Mat m;
  try {
    m = cv::imread(path, apply_exif_orientation ? cv::IMREAD_COLOR : cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    bad(path, std::string("cannot decode image: ") + e.what());
  }
  if (m.empty()) bad(path, "cannot decode " + hdr.format + " image (corrupt or truncated data)");
  return {m.cols, m.rows};
}

}  // namespace textq::datasets
