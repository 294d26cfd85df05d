// The unpickler on hand-written byte strings: values, memo, opaque objects, bounds.
#include <gtest/gtest.h>

#include <string>

#include "core/bounded_reader.h"
#include "importers/pytorch/pickle_vm.h"
#include "textq/error.h"

namespace textq {
namespace {

struct Unpickled {
  PickleVm vm;
  ObjId root = 0;
  const PyObj& r() const { return vm.obj(root); }
  const PyObj& item(size_t i) const { return vm.obj(r().items.at(i)); }
};

Unpickled run(const std::string& bytes) {
  Unpickled out;
  BoundedReader in(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "test.pkl");
  out.root = out.vm.load(in);
  EXPECT_TRUE(in.at_end());
  return out;
}

std::string error_of(const std::string& bytes) {
  try {
    run(bytes);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(PickleVm, ScalarsOfEveryEncoding) {
  // (BININT1 7, BININT2 513, BININT -2, LONG1 -1, LONG1 2^40, BINFLOAT 1.5, True, None, 'hé')
  std::string p = std::string("\x80\x02(K\x07M\x01\x02J\xfe\xff\xff\xff\x8a\x01\xff\x8a\x06\x00\x00\x00\x00\x00\x01", 24) +
                  std::string("G\x3f\xf8\x00\x00\x00\x00\x00\x00", 9) + "\x88N" + std::string("\x8c\x03h\xc3\xa9", 5) + "t.";
  Unpickled r = run(p);
  ASSERT_EQ(r.r().kind, PyKind::Tuple);
  ASSERT_EQ(r.r().items.size(), 9u);
  EXPECT_EQ(r.item(0).i, 7);
  EXPECT_EQ(r.item(1).i, 513);
  EXPECT_EQ(r.item(2).i, -2);
  EXPECT_EQ(r.item(3).i, -1);
  EXPECT_EQ(r.item(4).i, int64_t(1) << 40);
  EXPECT_EQ(r.item(5).f, 1.5);
  EXPECT_EQ(r.item(6).kind, PyKind::Bool);
  EXPECT_EQ(r.item(6).i, 1);
  EXPECT_EQ(r.item(7).kind, PyKind::None);
  EXPECT_EQ(r.item(8).s, "h\xc3\xa9");
}

TEST(PickleVm, MemoSharesObjects) {
  // l = []; (l, l) via BINPUT/BINGET, then APPEND 1 to the memoised list.
  Unpickled r = run(std::string("\x80\x02]q\x05h\x05\x86", 8) + "0h\x05K\x01" + "a.");
  ASSERT_EQ(r.r().kind, PyKind::List);
  EXPECT_EQ(r.r().items.size(), 1u);
}

TEST(PickleVm, OrderedDictKeepsInsertionOrderAndToleratesBuild) {
  std::string p = "\x80\x02" "ccollections\nOrderedDict\n)R(" "\x8c\x01zK\x01" "\x8c\x01" "aK\x02" "u"
                  "}\x8c\x09_metadata}sb.";
  Unpickled r = run(p);
  ASSERT_EQ(r.r().kind, PyKind::Dict);
  ASSERT_EQ(r.r().items.size(), 4u);
  EXPECT_EQ(r.item(0).s, "z");
  EXPECT_EQ(r.item(2).s, "a");
}

TEST(PickleVm, UnknownGlobalsStayOpaqueThroughCallsAndBuild) {
  // os.system('x') then NEWOBJ and BUILD on the result: nothing executes.
  std::string p = "\x80\x02" "cos\nsystem\n\x8c\x01x\x85R)\x81}b.";
  Unpickled r = run(p);
  EXPECT_EQ(r.r().kind, PyKind::Opaque);
  EXPECT_EQ(r.r().s, "os.system");
  EXPECT_EQ(r.r().offset, 2u);  // the GLOBAL's offset, for the error message
}

TEST(PickleVm, StructuralErrorsNameOffsetAndRule) {
  EXPECT_NE(error_of("\x80\x02h\x05.").find("test.pkl offset 2: memo key 5 was never set"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02" "a.").find("offset 2: stack underflow"), std::string::npos);
  EXPECT_NE(error_of("\x80\x01N.").find("pickle protocol 1 is not supported"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02N").find("unexpected end of data"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02NN.").find("STOP with items left on the stack"), std::string::npos);
  EXPECT_NE(error_of(std::string("\x80\x02X\xff\xff\xff\x7f", 7)).find("exceeds the limit"), std::string::npos);
  EXPECT_NE(error_of(std::string("\x80\x02r\x00\x00\x00\x10", 7)).find("memo key"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02K\x01" "K\x02R.").find("not callable"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02}K\x01" "a.").find("APPEND to a dict"), std::string::npos);
}

TEST(BoundedReader, ReadsLittleEndianAndRefusesOverruns) {
  const uint8_t b[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  BoundedReader r(b, sizeof b, "buf");
  EXPECT_EQ(r.u8(), 1);
  EXPECT_EQ(r.u32le(), 0x05040302u);
  EXPECT_EQ(r.remaining(), 4u);
  try {
    r.u64le();
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "buf offset 5: unexpected end of data (needs 8 bytes, 4 left)");
  }
  EXPECT_THROW(r.seek(10), Error);
  r.seek(9);
  EXPECT_TRUE(r.at_end());
}

}  // namespace
}  // namespace textq
