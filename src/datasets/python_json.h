// Serialises an nlohmann::ordered_json exactly as Python's `json.dump` does
// with default separators (", " and ": "), so our converters' files are
// byte-identical to MMOCR's. Floats use the shortest round-trip form ("20.0",
// "0.1", "1e-05"), like Python's repr.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace textq::datasets {

// ensure_ascii = true escapes every non-ASCII character as \uXXXX (MMOCR 0.x
// `mmcv.dump`); false writes UTF-8 (MMOCR 1.x dumper). Throws
// Error(InvalidArgument) on a string that is not valid UTF-8.
std::string python_json_dumps(const nlohmann::ordered_json& value, bool ensure_ascii);

// Checks that `s` is valid UTF-8; throws Error(InvalidFile) "<where>: <rule>".
void check_utf8(const std::string& s, const std::string& where);

}  // namespace textq::datasets
