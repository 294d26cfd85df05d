// `textq dataset icdar2015` against MMOCR's own output: the raw ICDAR2015
// train labels of img_1..img_10 (tests/data/photos/icdar2015/gt, UTF-8 BOM,
// commas inside transcriptions) read through read_icdar2015_split must give
// exactly the images, sizes, polygons, boxes and ignore flags of MMOCR's
// det_toy_dataset textdet_test.json, which MMOCR's preparer made from them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/error_of.h"
#include "datasets/icdar2015.h"
#include "datasets/mmocr_json.h"

namespace fs = std::filesystem;
using namespace textq::datasets;
using textq::test::error_of;

namespace {

const std::string kPhotos = "tests/data/photos/icdar2015";

// A raw tree as the RRC archives unpack (images and labels in their own
// folders), built from the committed files in a fresh temporary folder.
fs::path make_raw_tree(const std::string& name) {
  const fs::path root = fs::temp_directory_path() / ("textq_ic15_" + name + "_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  fs::remove_all(root);
  fs::create_directories(root / "ch4_training_images");
  fs::copy(kPhotos + "/gt", root / "ch4_training_localization_transcription_gt");
  for (int i = 1; i <= 10; ++i) {
    const std::string img = "img_" + std::to_string(i) + ".jpg";
    fs::copy_file(kPhotos + "/" + img, root / "ch4_training_images" / img);
  }
  return root;
}

TEST(Icdar2015Convert, RawLabelsGiveMmocrsOwnAnnotations) {
  const fs::path root = make_raw_tree("golden");
  const auto dirs = find_icdar2015_split(root.string(), Icdar2015Split::Train);
  ASSERT_TRUE(dirs.has_value());
  EXPECT_EQ(dirs->img_prefix, "ch4_training_images");
  EXPECT_FALSE(find_icdar2015_split(root.string(), Icdar2015Split::Test).has_value());
  const Dataset ours = read_icdar2015_split(root.string(), Icdar2015Split::Train, {});
  const Dataset mmocr = read_mmocr1_json(kPhotos + "/textdet_test.json");
  ASSERT_EQ(ours.images.size(), mmocr.images.size());
  std::map<std::string, const ImageAnnotation*> by_name;
  for (const auto& im : mmocr.images) by_name[path_basename(im.img_path)] = &im;
  size_t instances = 0, ignored = 0;
  for (const auto& im : ours.images) {
    SCOPED_TRACE(im.img_path);
    ASSERT_TRUE(by_name.count(im.img_path));
    const ImageAnnotation& ref = *by_name[im.img_path];
    EXPECT_EQ(im.width, ref.width);
    EXPECT_EQ(im.height, ref.height);
    ASSERT_EQ(im.instances.size(), ref.instances.size());
    for (size_t k = 0; k < im.instances.size(); ++k) {
      EXPECT_EQ(im.instances[k].polygon, ref.instances[k].polygon) << "instance " << k;
      EXPECT_EQ(im.instances[k].ignore, ref.instances[k].ignore) << "instance " << k;
      ++instances;
      ignored += im.instances[k].ignore;
    }
  }
  EXPECT_EQ(instances, 82u);
  EXPECT_EQ(ignored, 61u);
  // The written json reads back as MMOCR's does (bbox from the polygon, img_path under the image folder).
  const std::string written = write_mmocr1_json(ours, {dirs->img_prefix, false});
  const fs::path out = root / "textdet_train.json";
  { std::ofstream(out) << written; }
  const Dataset back = read_mmocr1_json(out.string());
  ASSERT_EQ(back.images.size(), 10u);
  EXPECT_EQ(back.images[0].img_path, "ch4_training_images/" + ours.images[0].img_path);
  EXPECT_EQ(back.images[0].instances.size(), ours.images[0].instances.size());
  fs::remove_all(root);
}

TEST(Icdar2015Convert, AMissingLabelFileIsNamed) {
  const fs::path root = make_raw_tree("missing");
  fs::remove(root / "ch4_training_localization_transcription_gt" / "gt_img_7.txt");
  const std::string m = error_of([&] { read_icdar2015_split(root.string(), Icdar2015Split::Train, {}); });
  EXPECT_NE(m.find("img_7.jpg: no label file gt_img_7.txt"), std::string::npos) << m;
  fs::remove_all(root);
}

TEST(Icdar2015Convert, AMalformedLineIsNamedWithItsFileAndLine) {
  const fs::path root = make_raw_tree("bad");
  { std::ofstream(root / "ch4_training_localization_transcription_gt" / "gt_img_3.txt") << "1,2,3,4,5,6,7,8,ok\n1,2,x,4,5,6,7,8,bad\n"; }
  const std::string m = error_of([&] { read_icdar2015_split(root.string(), Icdar2015Split::Train, {}); });
  EXPECT_NE(m.find("gt_img_3.txt:2:"), std::string::npos) << m;
  fs::remove_all(root);
}

}  // namespace
