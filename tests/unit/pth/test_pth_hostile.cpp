// Hostile checkpoints: each must be refused with a one-line message naming the
// file, the place and the rule -- never a crash, never executed.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

#include "core/file_util.h"
#include "importers/pytorch/state_dict.h"
#include "textq/error.h"

namespace textq {
namespace {

const std::string kDir = "tests/data/pth/";

struct HostileCase {
  const char* file;
  std::vector<const char*> must_contain;
  ErrorKind kind;
};

class PthHostile : public testing::TestWithParam<HostileCase> {};

TEST_P(PthHostile, RefusedWithRule) {
  const HostileCase& c = GetParam();
  try {
    load_pth(kDir + c.file);
    FAIL() << c.file << " loaded";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(c.file), std::string::npos) << msg;
    for (const char* s : c.must_contain) EXPECT_NE(msg.find(s), std::string::npos) << "want '" << s << "' in: " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_EQ(e.kind(), c.kind) << msg;
  }
}

const ErrorKind kBad = ErrorKind::InvalidFile;

INSTANTIATE_TEST_SUITE_P(
    Files, PthHostile,
    testing::Values(
        HostileCase{"evil_os_system.pth", {"data.pkl offset 2:", "GLOBAL os.system is not allowed at the checkpoint root"}, kBad},
        HostileCase{"evil_builtins_eval.pth", {"GLOBAL builtins.eval is not allowed at state_dict['w']"}, kBad},
        HostileCase{"evil_posix_system.pth", {"GLOBAL posix.system is not allowed at state_dict['conv.weight'] storage"}, kBad},
        HostileCase{"offset_past_end.pth", {"state_dict['bad']", "storage offset 4", "past the end of a storage of 6 elements"}, kBad},
        HostileCase{"stride_past_end.pth", {"stride [3, 2] reaches element 7, past the end of a storage of 6 elements"}, kBad},
        HostileCase{"numel_overflow.pth", {"state_dict['bad']", "element count overflows int64"}, kBad},
        HostileCase{"storage_too_small.pth", {"zip entry archive/data/0", "declared uncompressed size 20 but the storage needs 24 bytes"}, kBad},
        HostileCase{"storage_size_mismatch.pth", {"declared uncompressed size 48 but the storage needs 24 bytes"}, kBad},
        HostileCase{"unsupported_dtype.pth", {"storage type torch.ComplexFloatStorage", "is not supported"}, ErrorKind::UnsupportedModel},
        HostileCase{"truncated_pickle.pth", {"data.pkl offset", "unexpected end of data"}, kBad},
        HostileCase{"deep_nesting.pth", {"nesting deeper than 1000 levels"}, kBad},
        HostileCase{"deep_marks.pth", {"more than 1000 open MARKs"}, kBad},
        HostileCase{"protocol0_opcode.pth", {"offset 2: opcode 0x49 is not supported"}, kBad},
        HostileCase{"dotdot_zip.pth", {"zip entry archive/../evil", "'..' in an entry name is not allowed"}, kBad},
        HostileCase{"absolute_zip.pth", {"zip entry /etc/evil", "absolute path"}, kBad},
        HostileCase{"huge_size_zip.pth", {"zip entry archive/data.pkl", "declared uncompressed size 4294967280 exceeds the cap of 268435456 bytes"}, kBad},
        HostileCase{"corrupt_crc_zip.pth", {"zip entry archive/data/0", "CRC"}, kBad},
        HostileCase{"corrupt_zip.pth", {"not a readable zip archive"}, kBad},
        HostileCase{"truncated_legacy.pth", {"unexpected end of data"}, kBad},
        HostileCase{"not_a_checkpoint.pth", {"not a PyTorch checkpoint"}, kBad}),
    [](const testing::TestParamInfo<HostileCase>& info) {
      std::string n = info.param.file;
      return n.substr(0, n.find('.'));
    });

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("textq_pth_" + std::to_string(::getpid()) + "_" + name)).string();
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// Every prefix of a real checkpoint must fail cleanly (legacy: any byte;
// zip: a prefix loses the central directory). The copy is cut shorter and
// shorter with truncate() rather than rewritten thousands of times.
void truncate_everywhere(const std::string& fixture) {
  const std::vector<uint8_t> full = read_file_bytes(kDir + fixture);
  const std::string tmp = temp_path(fixture);
  write_bytes(tmp, full);
  for (size_t len = full.size(); len-- > 0;) {
    ASSERT_EQ(::truncate(tmp.c_str(), static_cast<off_t>(len)), 0);
    EXPECT_THROW(load_pth(tmp), Error) << fixture << " truncated to " << len << " bytes";
  }
  std::remove(tmp.c_str());
}

TEST(PthTruncation, LegacyAtEveryByte) { truncate_everywhere("dtypes_legacy.pth"); }
TEST(PthTruncation, ZipAtEveryByte) { truncate_everywhere("dtypes_zip.pth"); }

// Random byte flips (patched in place, then undone) must either load or
// throw textq::Error -- never crash.
TEST(PthCorruption, RandomFlipsNeverCrash) {
  for (const char* fixture : {"dtypes_legacy.pth", "mmocr_like_zip.pth", "mmocr_like_legacy.pth"}) {
    const std::vector<uint8_t> full = read_file_bytes(kDir + fixture);
    const std::string tmp = temp_path(fixture);
    write_bytes(tmp, full);
    FILE* f = std::fopen(tmp.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::mt19937 rng(1234);
    for (int trial = 0; trial < 400; ++trial) {
      size_t at[3];
      for (size_t& a : at) {
        a = rng() % full.size();
        std::fseek(f, static_cast<long>(a), SEEK_SET);
        std::fputc(full[a] ^ static_cast<uint8_t>(1 + rng() % 255), f);
      }
      std::fflush(f);
      try {
        load_pth(tmp);
      } catch (const Error&) {
      }
      for (size_t a : at) {
        std::fseek(f, static_cast<long>(a), SEEK_SET);
        std::fputc(full[a], f);
      }
      std::fflush(f);
    }
    std::fclose(f);
    std::remove(tmp.c_str());
  }
}

}  // namespace
}  // namespace textq
