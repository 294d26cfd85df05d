// NumPy .npy reader/writer (format versions 1.0, 2.0 and 3.0 headers).
// Accepted: little-endian (or byte-order-free) f32, f64, i64, i32, u8, C order.
// The reader treats the file as untrusted: the header length is bounded, the
// header dict is parsed strictly, and shape * itemsize must equal the data size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "textq/tensor.h"

namespace textq {

// Parses .npy bytes; `name` is used in error messages (usually the path).
// Throws Error(InvalidFile) naming the file, the offset and the rule, or
// Error(UnsupportedModel) for a well-formed file of a dtype/order we do not take.
Tensor npy_parse(const std::vector<uint8_t>& bytes, const std::string& name);
Tensor npy_read(const std::string& path);

// Serialises a tensor (f32, f64, i64, i32, u8) as a version 1.0 .npy (2.0 if
// the header would not fit a 16-bit length).
std::vector<uint8_t> npy_serialize(const Tensor& tensor);
// Atomic write (see file_util.h).
void npy_write(const std::string& path, const Tensor& tensor);

}  // namespace textq
