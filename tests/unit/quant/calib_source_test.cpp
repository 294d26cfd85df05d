// Calibration image sets: listing, seeded selection, and the leakage guard.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "quant/calib_source.h"
#include "textq/error.h"

namespace textq::quant {
namespace {
namespace fs = std::filesystem;

TEST(CalibSource, ListsFolderImagesSorted) {
  const std::vector<std::string> all = list_images("tests/data/textdet");
  ASSERT_EQ(all.size(), 4u);  // demo_text_det.jpg grey_70x45.png img3.jpg img_1.jpg (not .npy/.json/.md)
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(fs::path(all[0]).filename(), "demo_text_det.jpg");
  EXPECT_THROW(list_images("tests/data/no_such_dir"), Error);
  const fs::path empty = fs::temp_directory_path() / "textq_quant_empty_dir";
  fs::create_directories(empty);
  EXPECT_THROW(list_images(empty.string()), Error);
}

TEST(CalibSource, SelectionIsDeterministicAndSeeded) {
  std::vector<std::string> names;
  for (int i = 0; i < 50; ++i) names.push_back("img" + std::to_string(i));
  std::vector<std::string> shuffled(names.rbegin(), names.rend());
  const auto a = select_images(names, 10, 7), b = select_images(shuffled, 10, 7), c = select_images(names, 10, 8);
  EXPECT_EQ(a, b);  // input order does not matter
  EXPECT_NE(a, c);  // the seed does
  EXPECT_EQ(std::set<std::string>(a.begin(), a.end()).size(), 10u);
  EXPECT_EQ(select_images(names, 0, 7).size(), 50u);
  EXPECT_EQ(select_images(names, 80, 7).size(), 50u);
}

TEST(CalibSource, LeakageGuardByPathAndContent) {
  const fs::path dir = fs::temp_directory_path() / "textq_quant_overlap";
  fs::create_directories(dir);
  fs::copy_file("tests/data/textdet/img3.jpg", dir / "copy.jpg", fs::copy_options::overwrite_existing);
  const std::vector<std::string> calib = {"tests/data/textdet/img3.jpg", "tests/data/textdet/img_1.jpg"};
  EXPECT_EQ(check_overlap(calib, {"tests/data/textdet/demo_text_det.jpg"}, false), 0u);
  try {
    check_overlap(calib, {(dir / "copy.jpg").string()}, false);
    FAIL() << "a byte-identical copy was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("same content"), std::string::npos) << e.what();
  }
  try {
    check_overlap(calib, {"tests/data/../data/textdet/img_1.jpg"}, false);
    FAIL() << "the same path was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("same file"), std::string::npos) << e.what();
  }
  EXPECT_EQ(check_overlap(calib, {(dir / "copy.jpg").string(), "tests/data/textdet/img_1.jpg"}, true), 2u);
}

TEST(CalibSource, ImageInputsArePreprocessed) {
  PreprocessParams pp;
  pp.scale_long = 128;
  pp.scale_short = 64;
  const CalibInputs in = image_inputs({"tests/data/textdet/grey_70x45.png"}, pp);
  ASSERT_EQ(in.count, 1u);
  const Tensor x = in.get(0);
  EXPECT_EQ(x.rank(), 4u);
  EXPECT_EQ(x.dim(1), 3);
  EXPECT_EQ(x.dim(2) % 32, 0);
  EXPECT_EQ(x.dim(3) % 32, 0);
}

TEST(CalibSource, ImageInputsApplyThePixelLimit) {
  PreprocessParams pp;
  pp.scale_long = 128;
  pp.scale_short = 64;
  const std::string img = "tests/data/textdet/grey_70x45.png";
  EXPECT_NO_THROW(image_inputs({img}, pp, 70 * 45).get(0));
  try {
    image_inputs({img}, pp, 70 * 45 - 1).get(0);
    FAIL() << "an image over the limit was loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(img), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("limit of 3149 pixels"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace textq::quant
