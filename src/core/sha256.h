// SHA-256 (FIPS 180-4), used to record which checkpoint a model came from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace textq {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  // Lowercase hex digest; the object must not be updated afterwards.
  std::string hex_digest();

 private:
  void compress(const uint8_t block[64]);

  uint32_t state_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256_hex(const void* data, size_t size);

}  // namespace textq
