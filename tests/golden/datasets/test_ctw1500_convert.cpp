// Our CTW1500 converter vs MMOCR's: the ctw1500-mini raw dataset converted by
// textq must give byte-identical instances_{training,test}.json (0.x
// converter) and textdet_{train,test}.json (1.x parser + packer) to the files
// MMOCR's own code wrote (shared/golden/ctw1500-mini, copied by
// scripts/make_eval_goldens.sh).
#include <gtest/gtest.h>

#include "core/file_util.h"
#include "datasets/ctw1500.h"
#include "datasets/mmocr_json.h"

namespace {

using namespace textq::datasets;
const std::string kRoot = "tests/data/datasets/ctw1500-mini";

TEST(Ctw1500Convert, Mmocr0MatchesConverterByteForByte) {
  const Dataset test = read_ctw1500_split(kRoot, Ctw1500Split::Test, {false});
  EXPECT_EQ(write_mmocr0_json(test, {"test", false, ""}), textq::read_file_text(kRoot + "/instances_test.json"));
  const Dataset train = read_ctw1500_split(kRoot, Ctw1500Split::Train, {false});
  EXPECT_EQ(write_mmocr0_json(train, {"training", false, ""}),
            textq::read_file_text(kRoot + "/instances_training.json"));
}

TEST(Ctw1500Convert, Mmocr1MatchesPreparerByteForByte) {
  const Dataset test = read_ctw1500_split(kRoot, Ctw1500Split::Test, {true});
  EXPECT_EQ(write_mmocr1_json(test, {"textdet_imgs/test", false}), textq::read_file_text(kRoot + "/textdet_test.json"));
  const Dataset train = read_ctw1500_split(kRoot, Ctw1500Split::Train, {true});
  EXPECT_EQ(write_mmocr1_json(train, {"textdet_imgs/train", true}),
            textq::read_file_text(kRoot + "/textdet_train.json"));
}

TEST(Ctw1500Convert, ReadersRoundTripMmocrFiles) {
  const Dataset d0 = read_annotation_json(kRoot + "/instances_test.json");
  EXPECT_EQ(write_mmocr0_json(d0, {"test", false, ""}), textq::read_file_text(kRoot + "/instances_test.json"));
  const Dataset d1 = read_annotation_json(kRoot + "/textdet_test.json");
  ASSERT_EQ(d1.images.size(), 2u);
  EXPECT_EQ(d1.images[0].instances.size(), 4u);
  EXPECT_TRUE(d1.images[0].instances[3].ignore);  // '###'
  EXPECT_EQ(d1.images[1].width, 300);
}

}  // namespace
