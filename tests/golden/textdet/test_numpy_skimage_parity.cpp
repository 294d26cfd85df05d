// skeletonize / argsort / float32 sum against scikit-image 0.19 and NumPy 1.24
// (goldens: scripts/textdet_goldens.py units).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "golden/textdet/golden_util.h"
#include "textdet/numpy_compat.h"
#include "textdet/skeletonize.h"

namespace textq {
namespace {

using test::kGoldenDir;
using test::load_json;

std::vector<uint8_t> bits(const std::string& s) {
  std::vector<uint8_t> v(s.size());
  for (size_t i = 0; i < s.size(); ++i) v[i] = s[i] == '1';
  return v;
}

TEST(NumpySkimageParity, SkeletonizeMatchesSkimage) {
  const auto doc = load_json(kGoldenDir + "skeletonize.json");
  int n = 0, bad = 0, fg = 0;
  for (const auto& c : doc["cases"]) {
    const int rows = c["rows"], cols = c["cols"];
    const auto mask = bits(c["mask"]);
    const auto want = bits(c["skeleton"]);
    const auto got = skeletonize(mask, rows, cols);
    ASSERT_EQ(got.size(), want.size());
    for (uint8_t w : want) fg += w;
    if (got != want) {
      ++bad;
      ADD_FAILURE() << "case " << n << " (" << rows << "x" << cols << ") differs from skimage";
    }
    ++n;
  }
  EXPECT_EQ(bad, 0);
  EXPECT_GT(n, 100);
  EXPECT_GT(fg, 1000);  // mistrust an all-empty golden
}

TEST(NumpySkimageParity, ArgsortMatchesNumpyTieOrder) {
  const auto doc = load_json(kGoldenDir + "argsort.json");
  int n = 0, with_ties = 0;
  for (const auto& c : doc["cases"]) {
    std::vector<double> v;
    for (const auto& x : c["values"]) {
      if (x.is_null()) v.push_back(std::numeric_limits<double>::quiet_NaN());
      else if (x.is_string()) v.push_back(x.get<std::string>() == "inf" ? INFINITY : -INFINITY);
      else v.push_back(x.get<double>());
    }
    const auto want = c["argsort"].get<std::vector<int64_t>>();
    const auto got = numpy_argsort_f64(v);
    EXPECT_EQ(got, want) << "case " << n << " (n=" << v.size() << ")";
    // count cases where a stable sort would give a different answer
    std::vector<int64_t> stable(v.size());
    for (size_t i = 0; i < v.size(); ++i) stable[i] = static_cast<int64_t>(i);
    std::stable_sort(stable.begin(), stable.end(), [&](int64_t a, int64_t b) {
      return v[a] < v[b] || (std::isnan(v[b]) && !std::isnan(v[a]));
    });
    with_ties += stable != want;
    ++n;
  }
  EXPECT_GT(n, 100);
  EXPECT_GT(with_ties, 50) << "goldens should exercise NumPy's unstable tie order";
}

// Same generator as scripts/textdet_goldens.py lcg_array.
std::vector<float> lcg_array(uint64_t seed, size_t n, int zero16) {
  std::vector<float> out(n);
  uint64_t s = seed;
  for (size_t i = 0; i < n; ++i) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    if (static_cast<int>((s >> 20) & 15) < zero16) {
      out[i] = 0.0f;
    } else {
      const float v = static_cast<float>(static_cast<double>(s >> 40) / double(1 << 24));
      out[i] = v * std::ldexp(1.0f, static_cast<int>((s >> 32) & 7) - 3);
    }
  }
  return out;
}

TEST(NumpySkimageParity, Float32SumMatchesNumpyBitForBit) {
  const auto doc = load_json(kGoldenDir + "sum_f32.json");
  int n = 0, differs_from_double = 0;
  for (const auto& c : doc["cases"]) {
    const auto a = lcg_array(c["seed"].get<uint64_t>(), c["n"].get<size_t>(), c["zero16"]);
    const float got = numpy_sum_f32(a.data(), a.size());
    uint32_t got_bits;
    std::memcpy(&got_bits, &got, 4);
    EXPECT_EQ(got_bits, c["sum_bits"].get<uint32_t>())
        << "case " << n << " n=" << a.size() << " got " << got << " want " << c["sum"].get<double>();
    double d = 0;
    for (float x : a) d += x;
    differs_from_double += static_cast<float>(d) != got;
    ++n;
  }
  EXPECT_GT(n, 10);
  EXPECT_GT(differs_from_double, 0) << "goldens should separate pairwise from plain summation";
}

}  // namespace
}  // namespace textq
