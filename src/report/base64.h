// Standard base64 (RFC 4648, '+' '/' alphabet, '=' padding): inlines JPEG
// bytes into the HTML report as data: URIs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace textq::report {

std::string base64_encode(const uint8_t* data, size_t size);
std::string base64_encode(const std::string& bytes);

}  // namespace textq::report
