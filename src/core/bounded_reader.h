// A cursor over an in-memory byte range that never reads past its end.
// Every parser of untrusted bytes (pickles, zip entries, model headers) reads
// through it, so a truncated or lying file becomes an Error(InvalidFile)
// "<where> offset N: <rule>" instead of an out-of-bounds read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace textq {

class BoundedReader {
 public:
  // `where` prefixes every message, e.g. "model.pth: data.pkl".
  BoundedReader(const uint8_t* data, size_t size, std::string where);

  size_t offset() const { return pos_; }
  size_t size() const { return size_; }
  size_t remaining() const { return size_ - pos_; }
  bool at_end() const { return pos_ == size_; }
  const std::string& where() const { return where_; }

  uint8_t u8();
  uint16_t u16le();
  uint32_t u32le();
  uint64_t u64le();
  int32_t i32le();
  int64_t i64le();
  double f64be();  // pickle BINFLOAT is big-endian

  // Pointer to the next n bytes (valid while the underlying buffer lives).
  const uint8_t* bytes(uint64_t n);
  std::string str(uint64_t n);
  void skip(uint64_t n);
  void seek(size_t offset);

  // Throws Error(InvalidFile) "<where> offset <offset>: <rule>".
  [[noreturn]] void fail(const std::string& rule) const { fail_at(pos_, rule); }
  [[noreturn]] void fail_at(size_t offset, const std::string& rule) const;

 private:
  void need(uint64_t n);

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  std::string where_;
};

}  // namespace textq
