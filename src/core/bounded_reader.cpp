#include "core/bounded_reader.h"

#include <cstring>

#include "textq/error.h"

namespace textq {

BoundedReader::BoundedReader(const uint8_t* data, size_t size, std::string where)
    : data_(data), size_(size), where_(std::move(where)) {}

void BoundedReader::fail_at(size_t offset, const std::string& rule) const {
  throw Error(ErrorKind::InvalidFile, where_ + " offset " + std::to_string(offset) + ": " + rule);
}

void BoundedReader::need(uint64_t n) {
  if (n > remaining())
    fail("unexpected end of data (needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left)");
}

uint8_t BoundedReader::u8() {
  need(1);
  return data_[pos_++];
}

// Little-endian decoding by shifts, so the code does not depend on the host.
static uint64_t load_le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

uint16_t BoundedReader::u16le() { return static_cast<uint16_t>(load_le(bytes(2), 2)); }
uint32_t BoundedReader::u32le() { return static_cast<uint32_t>(load_le(bytes(4), 4)); }
uint64_t BoundedReader::u64le() { return load_le(bytes(8), 8); }
int32_t BoundedReader::i32le() { return static_cast<int32_t>(u32le()); }
int64_t BoundedReader::i64le() { return static_cast<int64_t>(u64le()); }

double BoundedReader::f64be() {
  const uint8_t* p = bytes(8);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  double d;
  std::memcpy(&d, &v, 8);
  return d;
}

const uint8_t* BoundedReader::bytes(uint64_t n) {
  need(n);
  const uint8_t* p = data_ + pos_;
  pos_ += static_cast<size_t>(n);
  return p;
}

std::string BoundedReader::str(uint64_t n) {
  const uint8_t* p = bytes(n);
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

void BoundedReader::skip(uint64_t n) { bytes(n); }

void BoundedReader::seek(size_t offset) {
  if (offset > size_) fail("seek to offset " + std::to_string(offset) + " past the end (" + std::to_string(size_) + " bytes)");
  pos_ = offset;
}

}  // namespace textq
