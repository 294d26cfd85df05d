// load_pth() against values recorded by torch.load() (scripts/make_pth_fixtures.py).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "importers/pytorch/state_dict.h"
#include "textq/error.h"

namespace textq {
namespace {

const std::string kDir = "tests/data/pth/";

float half_to_float(uint16_t h) {
  const int sign = h >> 15, exp = (h >> 10) & 31, frac = h & 1023;
  float v;
  if (exp == 0) v = std::ldexp(static_cast<float>(frac), -24);
  else if (exp == 31) v = frac ? NAN : INFINITY;
  else v = std::ldexp(static_cast<float>(frac + 1024), exp - 25);
  return sign ? -v : v;
}

float bf16_to_float(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Element i of t as a double (exact for every dtype the fixtures use, except
// i64 beyond 2^53, which is compared separately as an integer).
double element(const Tensor& t, int64_t i) {
  const uint8_t* p = static_cast<const uint8_t*>(t.raw());
  switch (t.dtype()) {
    case DType::f32: { float v; std::memcpy(&v, p + 4 * i, 4); return v; }
    case DType::f64: { double v; std::memcpy(&v, p + 8 * i, 8); return v; }
    case DType::f16: { uint16_t v; std::memcpy(&v, p + 2 * i, 2); return half_to_float(v); }
    case DType::bf16: { uint16_t v; std::memcpy(&v, p + 2 * i, 2); return bf16_to_float(v); }
    case DType::i32: { int32_t v; std::memcpy(&v, p + 4 * i, 4); return v; }
    case DType::i16: { int16_t v; std::memcpy(&v, p + 2 * i, 2); return v; }
    case DType::i8: return static_cast<int8_t>(p[i]);
    case DType::u8: return p[i];
    case DType::boolean: return p[i];
    case DType::i64: { int64_t v; std::memcpy(&v, p + 8 * i, 8); return static_cast<double>(v); }
  }
  return NAN;
}

nlohmann::ordered_json expected() {
  return nlohmann::ordered_json::parse(read_file_text(kDir + "expected.json"));
}

void check_file(const std::string& name, const nlohmann::ordered_json& want) {
  SCOPED_TRACE(name);
  StateDict sd = load_pth(kDir + name);
  const auto& tensors = want.at("tensors");
  ASSERT_EQ(sd.entries.size(), tensors.size());
  size_t n = 0;
  for (auto it = tensors.begin(); it != tensors.end(); ++it, ++n) {
    SCOPED_TRACE(it.key());
    const auto& [key, t] = sd.entries[n];
    EXPECT_EQ(key, it.key()) << "entries must keep the pickle's insertion order";
    EXPECT_EQ(dtype_name(t.dtype()), it.value().at("dtype").get<std::string>());
    EXPECT_EQ(t.shape(), it.value().at("shape").get<Shape>());
    const auto& values = it.value().at("values");
    ASSERT_EQ(t.numel(), static_cast<int64_t>(values.size()));
    for (int64_t i = 0; i < t.numel(); ++i) {
      if (t.dtype() == DType::i64) {
        int64_t v;
        std::memcpy(&v, static_cast<const uint8_t*>(t.raw()) + 8 * i, 8);
        EXPECT_EQ(v, values[i].get<int64_t>()) << "element " << i;
      } else {
        EXPECT_EQ(element(t, i), values[i].get<double>()) << "element " << i;  // bit-exact copies
      }
    }
  }
  EXPECT_EQ(sd.find("no such key"), nullptr);
  if (!sd.entries.empty()) {
    EXPECT_EQ(sd.find(sd.entries.back().first), &sd.entries.back().second);
  }
}

TEST(PthValues, ZipEveryDtypeViewsAndScalars) { check_file("dtypes_zip.pth", expected()["files"]["dtypes_zip.pth"]); }
TEST(PthValues, LegacyEveryDtypeViewsAndScalars) { check_file("dtypes_legacy.pth", expected()["files"]["dtypes_legacy.pth"]); }
TEST(PthValues, MmocrLikeZipWithOpaqueMetaAndOptimizer) { check_file("mmocr_like_zip.pth", expected()["files"]["mmocr_like_zip.pth"]); }
TEST(PthValues, MmocrLikeLegacy) { check_file("mmocr_like_legacy.pth", expected()["files"]["mmocr_like_legacy.pth"]); }
TEST(PthValues, OsSystemInsideMetaStaysInert) { check_file("evil_in_meta.pth", expected()["files"]["evil_in_meta.pth"]); }

TEST(PthValues, ViewsAreMaterialisedContiguous) {
  StateDict sd = load_pth(kDir + "dtypes_zip.pth");
  const Tensor* t = sd.find("shared_t");  // arange(60).reshape(6, 10).t()
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->shape(), (Shape{10, 6}));
  for (int r = 0; r < 10; ++r)
    for (int c = 0; c < 6; ++c) EXPECT_EQ(t->data<float>()[r * 6 + c], float(c * 10 + r));
  const Tensor* e = sd.find("shared_elem");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->rank(), 0u);
  EXPECT_EQ(e->data<float>()[0], 57.f);
}

TEST(PthValues, Sha256OfFilesMatchesHashlib) {
  auto want = expected()["files"];
  for (const char* name : {"dtypes_zip.pth", "dtypes_legacy.pth", "mmocr_like_zip.pth", "mmocr_like_legacy.pth"})
    EXPECT_EQ(sha256_file(kDir + name), want[name]["sha256"].get<std::string>()) << name;
}

TEST(PthValues, MissingFileIsAnIoError) {
  try {
    load_pth(kDir + "does_not_exist.pth");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find("does_not_exist.pth"), std::string::npos);
  }
}

}  // namespace
}  // namespace textq
