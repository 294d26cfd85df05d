// Replays every seed (tests/fuzz/corpus/<parser>/) and every kept crasher
// (tests/fuzz/regressions/<parser>/) through the fuzz targets' entry points:
// each must be accepted or refused with textq::Error (nothing else may escape;
// under `make test-sanitize` ASan/UBSan also watch every byte read).
#include <gtest/gtest.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "fuzz/fuzz_entries.h"

namespace textq::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string()[0] != '.') out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Runs every file of `kind` ("corpus" or "regressions"); returns how many
// were accepted and how many ran.
void replay(const Entry& entry, const std::string& kind, int* accepted, int* total) {
  const fs::path dir = fs::path(TEXTQ_SOURCE_DIR) / "tests/fuzz" / kind / entry.name;
  for (const fs::path& f : files_under(dir)) {
    SCOPED_TRACE(f.string());
    const std::vector<uint8_t> bytes = read_all(f);
    ++*total;
    try {
      if (entry.run(bytes.data(), bytes.size())) ++*accepted;
    } catch (const std::exception& e) {
      ADD_FAILURE() << entry.name << ": " << f.filename() << " escaped as a non-textq exception: " << e.what();
    }
  }
}

class FuzzReplay : public ::testing::TestWithParam<Entry> {};

}  // namespace

// Names the parser in ctest's listing instead of the struct's bytes.
void PrintTo(const Entry& e, std::ostream* os) { *os << e.name; }

namespace {

TEST_P(FuzzReplay, SeedsAreParsedAndMostlyAccepted) {
  int accepted = 0, total = 0;
  replay(GetParam(), "corpus", &accepted, &total);
  // A seed corpus that the parser refuses entirely would fuzz only the error paths.
  EXPECT_GT(total, 0) << "no seeds for " << GetParam().name;
  EXPECT_GT(accepted, 0) << "every seed of " << GetParam().name << " is refused";
}

TEST_P(FuzzReplay, RegressionsAreRefusedOrAcceptedCleanly) {
  int accepted = 0, total = 0;
  replay(GetParam(), "regressions", &accepted, &total);
  RecordProperty("regressions", total);
}

INSTANTIATE_TEST_SUITE_P(Parsers, FuzzReplay, ::testing::ValuesIn(entries()),
                         [](const ::testing::TestParamInfo<Entry>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace textq::fuzz
