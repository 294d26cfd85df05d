#include "textdet/image_header.h"

#include <cstring>

#include "textq/error.h"

namespace textq {
namespace {

class HeaderBytes {
 public:
  HeaderBytes(const std::vector<uint8_t>& b, const std::string& name, const char* fmt)
      : b_(b), name_(name), fmt_(fmt) {}
  void need(size_t off, size_t n, const char* what) const {
    if (off > b_.size() || n > b_.size() - off)
      fail(off, std::string("truncated ") + fmt_ + " header (" + what + " needs " +
                    std::to_string(n) + " bytes, file has " + std::to_string(b_.size()) + ")");
  }
  uint32_t be16(size_t o) const { need(o, 2, "16-bit field"); return (b_[o] << 8) | b_[o + 1]; }
  uint32_t le16(size_t o) const { need(o, 2, "16-bit field"); return b_[o] | (b_[o + 1] << 8); }
  uint32_t be32(size_t o) const { return (be16(o) << 16) | be16(o + 2); }
  uint32_t le32(size_t o) const { return le16(o) | (le16(o + 2) << 16); }
  uint8_t at(size_t o) const { need(o, 1, "byte"); return b_[o]; }
  size_t size() const { return b_.size(); }
  [[noreturn]] void fail(size_t off, const std::string& rule) const {
    throw Error(ErrorKind::InvalidFile, name_ + ": offset " + std::to_string(off) + ": " + rule);
  }

 private:
  const std::vector<uint8_t>& b_;
  const std::string& name_;
  const char* fmt_;
};

bool starts_with(const std::vector<uint8_t>& b, const char* magic, size_t n) {
  return b.size() >= n && std::memcmp(b.data(), magic, n) == 0;
}

ImageHeader png(const HeaderBytes& h) {
  h.need(12, 4, "IHDR chunk");
  if (h.be32(8) < 8 || h.at(12) != 'I' || h.at(13) != 'H' || h.at(14) != 'D' || h.at(15) != 'R')
    h.fail(12, "PNG must start with an IHDR chunk");
  return {"png", h.be32(16), h.be32(20)};
}

// Walks the marker segments to the first SOFn; then requires an EOI marker
// after the first SOS, so a truncated file is refused instead of decoded with
// libjpeg's grey fill.
ImageHeader jpeg(const HeaderBytes& h) {
  ImageHeader r{"jpeg", 0, 0};
  bool have_sof = false;
  size_t pos = 2;
  for (;;) {
    if (h.at(pos) != 0xFF) h.fail(pos, "expected a JPEG marker (0xFF)");
    while (h.at(pos) == 0xFF) ++pos;  // fill bytes
    const uint8_t m = h.at(pos++);
    if (m == 0xD9) h.fail(pos - 1, "JPEG ends (EOI) before any image data");
    if ((m >= 0xD0 && m <= 0xD7) || m == 0x01) continue;  // no length field
    const uint32_t len = h.be16(pos);
    if (len < 2) h.fail(pos, "JPEG segment length " + std::to_string(len) + " < 2");
    if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC && !have_sof) {
      r.height = h.be16(pos + 3);
      r.width = h.be16(pos + 5);
      have_sof = true;
    }
    if (m == 0xDA) {
      if (!have_sof) h.fail(pos - 1, "JPEG scan (SOS) before a frame header (SOFn)");
      size_t i = pos + len;
      for (; i + 1 < h.size(); ++i)
        if (h.at(i) == 0xFF && h.at(i + 1) == 0xD9) return r;
      h.fail(h.size(), "truncated JPEG: no end-of-image marker (FFD9) after the scan data");
    }
    pos += len;
  }
}

ImageHeader bmp(const HeaderBytes& h) {
  const uint32_t dib = h.le32(14);
  if (dib == 12) return {"bmp", h.le16(18), h.le16(20)};
  if (dib < 40) h.fail(14, "BMP info header size " + std::to_string(dib) + " is not 12 or >= 40");
  const int32_t w = static_cast<int32_t>(h.le32(18));
  const int32_t ht = static_cast<int32_t>(h.le32(22));
  auto mag = [](int32_t v) { return v < 0 ? uint64_t(-int64_t(v)) : uint64_t(v); };
  return {"bmp", mag(w), mag(ht)};
}

ImageHeader tiff(const HeaderBytes& h, bool le) {
  auto u16 = [&](size_t o) { return le ? h.le16(o) : h.be16(o); };
  auto u32 = [&](size_t o) { return le ? h.le32(o) : h.be32(o); };
  if (u16(2) != 42) h.fail(2, "TIFF version " + std::to_string(u16(2)) + " is not 42 (BigTIFF is not supported)");
  const size_t ifd = u32(4);
  const uint32_t n = u16(ifd);
  ImageHeader r{"tiff", 0, 0};
  for (uint32_t k = 0; k < n; ++k) {
    const size_t e = ifd + 2 + 12 * static_cast<size_t>(k);
    const uint32_t tag = u16(e), type = u16(e + 2);
    if (tag != 256 && tag != 257) continue;
    const uint64_t v = type == 3 ? u16(e + 8) : type == 4 ? u32(e + 8) : 0;
    if (type != 3 && type != 4) h.fail(e, "TIFF image size tag of type " + std::to_string(type) + " (need SHORT or LONG)");
    (tag == 256 ? r.width : r.height) = v;
  }
  return r;
}

ImageHeader webp(const HeaderBytes& h) {
  h.need(12, 4, "WebP chunk");
  const std::string fourcc = {char(h.at(12)), char(h.at(13)), char(h.at(14)), char(h.at(15))};
  if (fourcc == "VP8X") {
    const uint64_t w = (h.at(24) | (h.at(25) << 8) | (h.at(26) << 16)) + 1ull;
    const uint64_t ht = (h.at(27) | (h.at(28) << 8) | (h.at(29) << 16)) + 1ull;
    return {"webp", w, ht};
  }
  if (fourcc == "VP8L") {
    if (h.at(20) != 0x2F) h.fail(20, "WebP lossless signature byte is not 0x2F");
    const uint32_t bits = h.le32(21);
    return {"webp", (bits & 0x3FFF) + 1ull, ((bits >> 14) & 0x3FFF) + 1ull};
  }
  if (fourcc == "VP8 ") {
    if (h.at(23) != 0x9D || h.at(24) != 0x01 || h.at(25) != 0x2A)
      h.fail(23, "WebP lossy frame start code is not 9D 01 2A");
    return {"webp", h.le16(26) & 0x3FFFu, h.le16(28) & 0x3FFFu};
  }
  h.fail(12, "WebP chunk '" + fourcc + "' is not VP8, VP8L or VP8X");
}

ImageHeader pnm(const HeaderBytes& h) {
  size_t pos = 2;
  uint64_t v[2] = {0, 0};
  for (int k = 0; k < 2; ++k) {
    for (;;) {  // whitespace and # comments
      const uint8_t c = h.at(pos);
      if (c == '#') {
        while (h.at(pos) != '\n' && h.at(pos) != '\r') ++pos;
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos;
      } else {
        break;
      }
    }
    if (h.at(pos) < '0' || h.at(pos) > '9') h.fail(pos, "PNM size is not a decimal number");
    int digits = 0;
    while (h.at(pos) >= '0' && h.at(pos) <= '9') {
      if (++digits > 10) h.fail(pos, "PNM size has more than 10 digits");
      v[k] = v[k] * 10 + (h.at(pos++) - '0');
    }
  }
  return {"pnm", v[0], v[1]};
}

}  // namespace

ImageHeader read_image_header(const std::vector<uint8_t>& b, const std::string& name) {
  ImageHeader r;
  if (starts_with(b, "\x89PNG\r\n\x1a\n", 8)) {
    r = png(HeaderBytes(b, name, "PNG"));
  } else if (starts_with(b, "\xFF\xD8", 2)) {
    r = jpeg(HeaderBytes(b, name, "JPEG"));
  } else if (starts_with(b, "BM", 2)) {
    r = bmp(HeaderBytes(b, name, "BMP"));
  } else if (starts_with(b, "II*\0", 4) || starts_with(b, "MM\0*", 4) ||
             starts_with(b, "II+\0", 4) || starts_with(b, "MM\0+", 4)) {
    r = tiff(HeaderBytes(b, name, "TIFF"), b[0] == 'I');
  } else if (starts_with(b, "RIFF", 4) && b.size() >= 12 && std::memcmp(b.data() + 8, "WEBP", 4) == 0) {
    r = webp(HeaderBytes(b, name, "WebP"));
  } else if (b.size() >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
    r = pnm(HeaderBytes(b, name, "PNM"));
  } else {
    throw Error(ErrorKind::InvalidFile,
                name + ": offset 0: not a supported image (expected PNG, JPEG, BMP, TIFF, WebP "
                       "or PNM magic bytes)");
  }
  if (r.width == 0 || r.height == 0)
    throw Error(ErrorKind::InvalidFile, name + ": " + r.format + " header gives image size " +
                                            std::to_string(r.width) + "x" +
                                            std::to_string(r.height) + " (must be non-zero)");
  return r;
}

}  // namespace textq
