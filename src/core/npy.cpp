#include "core/npy.h"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <limits>

#include "core/file_util.h"
#include "textq/error.h"

namespace textq {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
// numpy itself refuses headers past 10000 bytes by default; we allow a little more.
constexpr size_t kMaxHeaderLen = 65536;
constexpr size_t kMaxRank = 32;

[[noreturn]] void fail(const std::string& name, size_t offset, const std::string& rule) {
  throw Error(ErrorKind::InvalidFile, name + ": npy header offset " + std::to_string(offset) + ": " + rule);
}

// A strict parser of the tiny Python-literal dict numpy writes:
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
 public:
  HeaderParser(const std::string& text, size_t base, const std::string& name)
      : s_(text), base_(base), name_(name) {}

  void parse(std::string* descr, bool* fortran, Shape* shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    skip_ws();
    expect('{');
    while (true) {
      skip_ws();
      if (peek() == '}') { ++i_; break; }
      std::string key = parse_string();
      skip_ws();
      expect(':');
      skip_ws();
      if (key == "descr") {
        if (have_descr) error("duplicate key 'descr'");
        *descr = parse_string();
        have_descr = true;
      } else if (key == "fortran_order") {
        if (have_fortran) error("duplicate key 'fortran_order'");
        *fortran = parse_bool();
        have_fortran = true;
      } else if (key == "shape") {
        if (have_shape) error("duplicate key 'shape'");
        *shape = parse_shape();
        have_shape = true;
      } else {
        error("unknown key '" + key + "' (only descr, fortran_order, shape are allowed)");
      }
      skip_ws();
      if (peek() == ',') { ++i_; continue; }
      skip_ws();
      if (peek() == '}') { ++i_; break; }
      error("expected ',' or '}' after a value");
    }
    // Only spaces/newline padding may follow the dict.
    while (i_ < s_.size()) {
      if (s_[i_] != ' ' && s_[i_] != '\n' && s_[i_] != '\0') error("unexpected bytes after the header dict");
      ++i_;
    }
    if (!have_descr || !have_fortran || !have_shape)
      error("header dict must have keys descr, fortran_order and shape");
  }

 private:
  [[noreturn]] void error(const std::string& rule) const { fail(name_, base_ + i_, rule); }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n')) ++i_;
  }
  void expect(char c) {
    if (peek() != c) error(std::string("expected '") + c + "'");
    ++i_;
  }
  std::string parse_string() {
    char q = peek();
    if (q != '\'' && q != '"') error("expected a quoted string");
    ++i_;
    std::string out;
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] == '\\') error("escapes are not allowed in header strings");
      out += s_[i_++];
      if (out.size() > 64) error("header string longer than 64 characters");
    }
    expect(q);
    return out;
  }
  bool parse_bool() {
    if (s_.compare(i_, 4, "True") == 0) { i_ += 4; return true; }
    if (s_.compare(i_, 5, "False") == 0) { i_ += 5; return false; }
    error("expected True or False");
  }
  Shape parse_shape() {
    expect('(');
    Shape shape;
    while (true) {
      skip_ws();
      if (peek() == ')') { ++i_; break; }
      if (!std::isdigit(static_cast<unsigned char>(peek()))) error("expected a non-negative integer dimension");
      int64_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        int d = peek() - '0';
        if (v > (std::numeric_limits<int64_t>::max() - d) / 10) error("dimension overflows int64");
        v = v * 10 + d;
        ++i_;
      }
      if (peek() == 'L') ++i_;  // Python 2 long suffix
      shape.push_back(v);
      if (shape.size() > kMaxRank) error("more than 32 dimensions");
      skip_ws();
      if (peek() == ',') { ++i_; continue; }
      skip_ws();
      if (peek() == ')') { ++i_; break; }
      error("expected ',' or ')' in shape");
    }
    return shape;
  }

  const std::string& s_;
  size_t base_;
  const std::string& name_;
  size_t i_ = 0;
};

bool host_is_little_endian() {
  const uint16_t x = 1;
  uint8_t b;
  std::memcpy(&b, &x, 1);
  return b == 1;
}

// Maps a descr like '<f4' / '|u1' to a dtype; nullopt-like false for others.
bool descr_to_dtype(const std::string& descr, DType* out) {
  if (descr.size() != 3) return false;
  const char order = descr[0];
  const std::string code = descr.substr(1);
  const bool single_byte = code == "u1" || code == "i1" || code == "b1";
  if (order == '>' && !single_byte) return false;
  if (order != '<' && order != '|' && order != '=' && order != '>') return false;
  if (order == '|' && !single_byte) return false;
  if (code == "f4") *out = DType::f32;
  else if (code == "f8") *out = DType::f64;
  else if (code == "i8") *out = DType::i64;
  else if (code == "i4") *out = DType::i32;
  else if (code == "u1") *out = DType::u8;
  else return false;
  return true;
}

const char* dtype_to_descr(DType d) {
  switch (d) {
    case DType::f32: return "<f4";
    case DType::f64: return "<f8";
    case DType::i64: return "<i8";
    case DType::i32: return "<i4";
    case DType::u8: return "|u1";
    default: return nullptr;
  }
}

}  // namespace

Tensor npy_parse(const std::vector<uint8_t>& bytes, const std::string& name) {
  if (!host_is_little_endian())
    throw Error(ErrorKind::Internal, "npy reader supports little-endian hosts only");
  if (bytes.size() < kMagicLen + 4 || std::memcmp(bytes.data(), kMagic, kMagicLen) != 0)
    fail(name, 0, "missing the \\x93NUMPY magic (not a .npy file)");
  const int major = bytes[6], minor = bytes[7];
  size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = bytes[8] | (size_t(bytes[9]) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail(name, 8, "file ends inside the header length");
    header_len = bytes[8] | (size_t(bytes[9]) << 8) | (size_t(bytes[10]) << 16) | (size_t(bytes[11]) << 24);
    header_start = 12;
  } else {
    throw Error(ErrorKind::UnsupportedModel, name + ": npy format version " + std::to_string(major) + "." +
                                                 std::to_string(minor) + " (supported: 1.x, 2.x, 3.x)");
  }
  if (header_len > kMaxHeaderLen)
    fail(name, 8, "header length " + std::to_string(header_len) + " exceeds the limit of " + std::to_string(kMaxHeaderLen));
  if (bytes.size() < header_start + header_len)
    fail(name, header_start, "file of " + std::to_string(bytes.size()) + " bytes ends inside the " +
                                 std::to_string(header_len) + "-byte header");
  const std::string header(reinterpret_cast<const char*>(bytes.data() + header_start), header_len);
  std::string descr;
  bool fortran = false;
  Shape shape;
  HeaderParser(header, header_start, name).parse(&descr, &fortran, &shape);

  DType dtype;
  if (!descr_to_dtype(descr, &dtype))
    throw Error(ErrorKind::UnsupportedModel, name + ": npy dtype '" + descr +
                                                 "' is not supported (little-endian f4, f8, i8, i4, u1 only)");
  if (fortran && shape.size() > 1)
    throw Error(ErrorKind::UnsupportedModel, name + ": npy array is in Fortran order (C order only)");

  const int64_t numel = with_error_context(name + ": npy header", [&] { return shape_numel(shape); });
  const size_t item = dtype_size(dtype);
  const size_t data_off = header_start + header_len;
  const size_t avail = bytes.size() - data_off;
  if (static_cast<uint64_t>(numel) > avail / item || static_cast<uint64_t>(numel) * item != avail)
    fail(name, data_off, "shape " + shape_str(shape) + " of " + descr + " needs " +
                             (static_cast<uint64_t>(numel) > avail / item ? std::string("more than ") + std::to_string(avail)
                                                                           : std::to_string(numel * item)) +
                             " data bytes but the file has " + std::to_string(avail));
  Tensor t(dtype, shape);
  if (avail) std::memcpy(t.raw(), bytes.data() + data_off, avail);
  return t;
}

Tensor npy_read(const std::string& path) {
  return npy_parse(read_file_bytes(path), path);
}

std::vector<uint8_t> npy_serialize(const Tensor& tensor) {
  const char* descr = dtype_to_descr(tensor.dtype());
  if (!descr)
    throw Error(ErrorKind::InvalidArgument, std::string("npy_write: dtype ") + dtype_name(tensor.dtype()) + " is not supported");
  // Python tuple syntax: "()", "(5,)", "(1, 3, 4)".
  std::string shape = "(";
  for (size_t i = 0; i < tensor.rank(); ++i) {
    if (i) shape += ", ";
    shape += std::to_string(tensor.dim(i));
  }
  shape += tensor.rank() == 1 ? ",)" : ")";
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t pre = 10;
  int major = 1;
  if (dict.size() + 1 + pre > 65535) { pre = 12; major = 2; }
  size_t total = pre + dict.size() + 1;
  size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';
  const size_t hlen = dict.size();
  std::vector<uint8_t> out;
  out.reserve(pre + hlen + tensor.nbytes());
  out.insert(out.end(), kMagic, kMagic + kMagicLen);
  out.push_back(static_cast<uint8_t>(major));
  out.push_back(0);
  out.push_back(hlen & 0xff);
  out.push_back((hlen >> 8) & 0xff);
  if (major == 2) {
    out.push_back((hlen >> 16) & 0xff);
    out.push_back((hlen >> 24) & 0xff);
  }
  out.insert(out.end(), dict.begin(), dict.end());
  const uint8_t* p = static_cast<const uint8_t*>(tensor.raw());
  if (p) out.insert(out.end(), p, p + tensor.nbytes());
  return out;
}

void npy_write(const std::string& path, const Tensor& tensor) {
  const std::vector<uint8_t> bytes = npy_serialize(tensor);
  write_file_atomic(path, [&](const std::string& tmp) {
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw Error(ErrorKind::Io, "cannot open " + tmp + " for writing");
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    const bool closed = std::fclose(f) == 0;
    if (!ok || !closed) throw Error(ErrorKind::Io, "cannot write " + path);
  });
}

}  // namespace textq
