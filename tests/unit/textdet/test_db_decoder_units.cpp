// DB decoder argument checks and the simplest maps (the reference parity is
// tests/golden/textdet/test_db_parity.cpp).
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "textdet/db_decoder.h"
#include "textdet/preprocess.h"
#include "textq/error.h"

namespace textq {
namespace {

TEST(DbDecoder, RefusesBadArguments) {
  const std::vector<float> map(16, 0.f);
  const DbParams ok;
  EXPECT_THROW(decode_db(nullptr, 4, 4, ok), Error);
  EXPECT_THROW(decode_db(map.data(), 0, 4, ok), Error);
  EXPECT_THROW(decode_db(map.data(), 4, -1, ok), Error);
  EXPECT_THROW(decode_db(map.data(), 1 << 16, 1, ok), Error);
  DbParams bad = ok;
  bad.unclip_ratio = -1;
  EXPECT_THROW(decode_db(map.data(), 4, 4, bad), Error);
  bad = ok;
  bad.max_candidates = -2;
  EXPECT_THROW(decode_db(map.data(), 4, 4, bad), Error);
  bad = ok;
  bad.mask_thr = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(decode_db(map.data(), 4, 4, bad), Error);
}

TEST(DbDecoder, EmptyAndFullMaps) {
  for (DbFlavour f : {DbFlavour::Mmocr0, DbFlavour::Mmocr1, DbFlavour::Paddle}) {
    const DbParams p = db_defaults(f);
    const std::vector<float> zeros(40 * 60, 0.f), ones(40 * 60, 0.9f);
    EXPECT_TRUE(decode_db(zeros.data(), 40, 60, p).empty()) << db_flavour_name(f);
    std::vector<TextInstance> all = decode_db(ones.data(), 40, 60, p);
    ASSERT_EQ(all.size(), 1u) << db_flavour_name(f);
    EXPECT_EQ(all[0].polygon.size(), 8u);  // quad
    EXPECT_NEAR(all[0].score, 0.9, 1e-6);
    // PaddleOCR clips to the original image; a 2x larger original doubles the box.
    PreprocessResult pre;
    pre.ori_w = 120;
    pre.ori_h = 80;
    pre.w_scale = pre.h_scale = 0.5;
    rescale_db_instances(all, 40, 60, pre, p);
    for (size_t i = 0; i < 8; i += 2) {
      if (f == DbFlavour::Paddle) {
        EXPECT_GE(all[0].polygon[i], 0);
        EXPECT_LE(all[0].polygon[i], 120);
      }
      EXPECT_GE(all[0].polygon[i], -60);  // the unclip grows past the border before the clip
    }
  }
}

}  // namespace
}  // namespace textq
