// Helpers shared by the textdet golden tests (fixtures: scripts/make_textdet_goldens.sh).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/file_util.h"

namespace textq::test {

inline const std::string kGoldenDir = "tests/golden/textdet/";
inline const std::string kDataDir = "tests/data/textdet/";

inline nlohmann::json load_json(const std::string& path) {
  return nlohmann::json::parse(read_file_text(path));
}

}  // namespace textq::test
