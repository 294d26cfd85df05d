// .npy reader/writer: round trips, headers written by numpy (v1, v2, other
// key order), and malformed files that must be refused with an Error.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "core/npy.h"
#include "textq/error.h"

namespace textq {
namespace {

std::vector<uint8_t> make_npy(int major, const std::string& dict, size_t data_bytes, bool pad = true) {
  std::string h = dict;
  const size_t pre = major == 1 ? 10 : 12;
  if (pad) {
    while ((pre + h.size() + 1) % 64) h += ' ';
    h += '\n';
  }
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  const size_t n = h.size();
  out.push_back(n & 0xff);
  out.push_back((n >> 8) & 0xff);
  if (major != 1) {
    out.push_back((n >> 16) & 0xff);
    out.push_back((n >> 24) & 0xff);
  }
  out.insert(out.end(), h.begin(), h.end());
  out.resize(out.size() + data_bytes, 0);
  return out;
}

TEST(Npy, RoundTripAllDtypes) {
  for (DType d : {DType::f32, DType::f64, DType::i64, DType::i32, DType::u8}) {
    for (const Shape& s : {Shape{}, Shape{5}, Shape{2, 3, 4}, Shape{0, 3}}) {
      Tensor t(d, s);
      auto* p = static_cast<uint8_t*>(t.raw());
      for (size_t i = 0; i < t.nbytes(); ++i) p[i] = static_cast<uint8_t>(i * 7 + 1);
      const std::vector<uint8_t> bytes = npy_serialize(t);
      EXPECT_EQ((bytes.size() - t.nbytes()) % 64, 0u);
      const Tensor back = npy_parse(bytes, "mem.npy");
      EXPECT_EQ(back.dtype(), d);
      EXPECT_EQ(shape_str(back.shape()), shape_str(s));
      EXPECT_EQ(std::memcmp(back.raw(), t.raw(), t.nbytes()), 0);
    }
  }
}

TEST(Npy, AcceptsNumpyVariants) {
  // v2 header, keys in another order, trailing comma absent, Python tuple "(5,)".
  Tensor a = npy_parse(make_npy(2, "{'shape': (5,), 'fortran_order': False, 'descr': '<f4'}", 20), "v2.npy");
  EXPECT_EQ(shape_str(a.shape()), "[5]");
  Tensor b = npy_parse(make_npy(1, "{'descr': '|u1', 'fortran_order': True, 'shape': (3,), }", 3), "u8.npy");
  EXPECT_EQ(b.dtype(), DType::u8);  // Fortran order of a 1-D array is the same bytes
}

TEST(Npy, RefusesMalformedFiles) {
  struct Case { const char* name; std::vector<uint8_t> bytes; };
  std::vector<uint8_t> bad_magic = make_npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4);
  bad_magic[1] = 'X';
  std::vector<uint8_t> huge_header = make_npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4);
  huge_header[11] = 0x7f;  // header length ~2 GB
  std::vector<uint8_t> truncated = make_npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4);
  truncated.resize(20);
  const Case cases[] = {
      {"bad magic", bad_magic},
      {"huge header length", huge_header},
      {"ends inside header", truncated},
      {"too few data bytes", make_npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 23)},
      {"too many data bytes", make_npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 25)},
      {"overflowing shape", make_npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 8)},
      {"huge dim", make_npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", 8)},
      {"big endian", make_npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 4)},
      {"object dtype", make_npy(1, "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 8)},
      {"fortran 2-D", make_npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16)},
      {"missing key", make_npy(1, "{'descr': '<f4', 'shape': (1,), }", 4)},
      {"duplicate key", make_npy(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4)},
      {"unknown key", make_npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1, }", 4)},
      {"negative dim", make_npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 4)},
      {"junk after dict", make_npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } os.system", 4)},
      {"unterminated", make_npy(1, "{'descr': '<f4", 4)},
      {"version 9", make_npy(9, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4)},
      {"empty file", {}},
  };
  for (const Case& c : cases) {
    try {
      npy_parse(c.bytes, "bad.npy");
      ADD_FAILURE() << c.name << ": accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("bad.npy"), std::string::npos) << c.name << ": " << e.what();
    }
  }
}

TEST(Npy, WritesAndReadsFiles) {
  Tensor t(DType::f32, {2, 2});
  for (int i = 0; i < 4; ++i) t.data<float>()[i] = 0.5f * i;
  const std::string path = ::testing::TempDir() + "/textq_npy_test.npy";
  npy_write(path, t);
  const Tensor back = npy_read(path);
  EXPECT_EQ(back.data<float>()[3], 1.5f);
  EXPECT_THROW(npy_read(path + ".missing"), Error);
}

}  // namespace
}  // namespace textq
