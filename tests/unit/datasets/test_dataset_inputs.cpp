// Bad and edge inputs of the dataset readers: every malformed file is an
// Error naming file and place, never a crash.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/error_of.h"
#include "datasets/ctw1500.h"
#include "datasets/image_size.h"
#include "datasets/mmocr_json.h"
#include "datasets/python_json.h"
#include "datasets/text_labels.h"

namespace {

using namespace textq::datasets;
using textq::test::error_of;
namespace fs = std::filesystem;

std::string tmp_file(const std::string& name, const std::string& body) {
  const fs::path dir = fs::temp_directory_path() / ("textq_ds_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string p = (dir / name).string();
  std::ofstream(p, std::ios::binary) << body;
  return p;
}

const std::string kPoly28 = "20,20,40,20,60,20,80,20,100,20,120,20,140,20,140,50,120,50,100,50,80,50,60,50,40,50,20,50";

TEST(DatasetInputs, Ctw1500TxtVariants) {
  auto a = parse_ctw1500_txt(kPoly28 + ",####Hello, world\n" + kPoly28 + ",#######\n", "t.txt");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(*a[0].text, "Hello");  // text after a comma is lost, as in MMOCR
  EXPECT_FALSE(a[0].ignore);
  EXPECT_TRUE(a[1].ignore);
  auto v1 = parse_ctw1500_txt(kPoly28 + ",CARE\r\n", "1001.txt");
  ASSERT_EQ(v1.size(), 1u);
  EXPECT_FALSE(v1[0].text.has_value());
  // 32-int original format: (xmin + dx, ymin + dy)
  auto o = parse_ctw1500_txt("31,47,200,110,0,11,29,2,59,0,89,2,119,9,149,23,169,43,154,63,134,48,109,38,84,33,59,33,29,38,4,48",
                             "o.txt");
  ASSERT_EQ(o[0].polygon.size(), 28u);
  EXPECT_EQ(o[0].polygon[0], 31);
  EXPECT_EQ(o[0].polygon[1], 58);
  EXPECT_EQ(o[0].polygon[27], 95);
}

TEST(DatasetInputs, Ctw1500TxtErrorsNameFileAndLine) {
  EXPECT_NE(error_of([] { parse_ctw1500_txt(kPoly28 + ",####a\n\n", "x.txt"); }).find("x.txt:2: empty line"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_ctw1500_txt("1,2,3,####a\n", "x.txt"); }).find("x.txt:1:"), std::string::npos);
  std::string bad = kPoly28;
  bad[3] = 'x';
  EXPECT_NE(error_of([&] { parse_ctw1500_txt(bad + ",####a", "x.txt"); }).find("is not an integer"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_ctw1500_txt(kPoly28 + ",Hello", "x.txt"); }).find("must start with '#'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_ctw1500_txt(kPoly28 + ",####\xff\xfe", "x.txt"); }).find("UTF-8"), std::string::npos);
}

TEST(DatasetInputs, Ctw1500Xml) {
  const std::string xml =
      "<?xml version=\"1.0\"?><Annotations><image file=\"0001.jpg\"><box height=\"63\" left=\"31\" top=\"47\" "
      "width=\"169\"><label>A&amp;B</label><segs>" + kPoly28 + "</segs><pts x=\"1\" y=\"2\"/></box></image></Annotations>";
  auto v = parse_ctw1500_xml(xml, "0001.xml");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(*v[0].text, "A&B");
  EXPECT_EQ(v[0].coco->bbox[2], 169);
  EXPECT_NE(error_of([] { parse_ctw1500_xml("<Annotations><image><box>", "b.xml"); }).find("b.xml:1: unterminated"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_ctw1500_xml("<A><image><box left=\"1\" top=\"1\" width=\"1\" height=\"1\"><label>x</label>"
                                "<segs>1,2,3</segs></box></image></A>", "c.xml");
            }).find("needs 28"),
            std::string::npos);
}

TEST(DatasetInputs, TotalTextAndIcdar2015) {
  auto t = parse_totaltext_txt("694,259,892,261,890,202,697,196,KELUAR\n1,2,3,4,5,6,###\n", "tt.txt");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(*t[0].text, "KELUAR");
  EXPECT_TRUE(t[1].ignore);
  EXPECT_NE(error_of([] { parse_totaltext_txt("1,2,3,4,x\n", "tt.txt"); }).find("tt.txt:1:"), std::string::npos);
  auto i = parse_icdar2015_txt("\xEF\xBB\xBF" "377,117,463,117,465,130,378,130,Genaxis Theatre\n374,155,409,155,409,170,374,170,###\n"
                               "1,1,2,1,2,2,1,2,a,b\n", "gt_img_1.txt");
  ASSERT_EQ(i.size(), 3u);
  EXPECT_EQ(*i[0].text, "Genaxis Theatre");
  EXPECT_TRUE(i[1].ignore);
  EXPECT_EQ(*i[2].text, "a,b");
  EXPECT_NE(error_of([] { parse_icdar2015_txt("1,2,3,4,5,6,7,text\n", "g.txt"); }).find("g.txt:1:"), std::string::npos);
}

TEST(DatasetInputs, JsonErrors) {
  EXPECT_NE(error_of([] { read_annotation_json(tmp_file("a.json", "{\"data_list\": [")); }).find("not valid JSON"),
            std::string::npos);
  const auto odd = tmp_file("b.json", R"({"data_list":[{"img_path":"x.jpg","instances":[{"polygon":[1,2,3,4,5,6,7],"ignore":false}]}]})");
  EXPECT_NE(error_of([&] { read_annotation_json(odd); }).find("data_list[0].instances[0].polygon: odd number"),
            std::string::npos);
  const auto two = tmp_file("c.json", R"({"data_list":[{"img_path":"x.jpg","instances":[{"polygon":[1,2,3,4],"ignore":false}]}]})");
  EXPECT_NE(error_of([&] { read_annotation_json(two); }).find("at least 3"), std::string::npos);
  const auto big = tmp_file("d.json", R"({"data_list":[{"img_path":"x.jpg","instances":[{"polygon":[1,2,3,4,5,1e999],"ignore":false}]}]})");
  EXPECT_FALSE(error_of([&] { read_annotation_json(big); }).empty());
  EXPECT_NE(error_of([] { read_annotation_json(tmp_file("e.json", "[1,2]")); }).find("neither"), std::string::npos);
}

TEST(DatasetInputs, PythonJsonEscapes) {
  nlohmann::ordered_json j = {{"t", "caf\xC3\xA9 \xF0\x9F\x98\x80\n"}, {"x", 20.0}, {"n", nullptr}};
  EXPECT_EQ(python_json_dumps(j, true), "{\"t\": \"caf\\u00e9 \\ud83d\\ude00\\n\", \"x\": 20.0, \"n\": null}");
  EXPECT_EQ(python_json_dumps(j, false), "{\"t\": \"caf\xC3\xA9 \xF0\x9F\x98\x80\\n\", \"x\": 20.0, \"n\": null}");
}

TEST(DatasetInputs, ImageHeaders) {
  const auto s = read_image_size("tests/data/datasets/ctw1500-mini/imgs/test/1002.jpg", false);
  EXPECT_EQ(s.width, 300);
  EXPECT_EQ(s.height, 200);
  EXPECT_NE(error_of([] { read_image_size(tmp_file("bad.jpg", "not an image at all"), false); }).find("bad.jpg"),
            std::string::npos);
  EXPECT_FALSE(error_of([] { read_image_size(tmp_file("trunc.jpg", std::string("\xFF\xD8\xFF\xE0\x00\x10JF", 8)), false); }).empty());
  // PNG header only
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x01\x2c\0\0\0\xc8\x08\x02\0\0\0", 29);
  const auto p = read_image_size(tmp_file("x.png", png), true);
  EXPECT_EQ(p.width, 300);
  EXPECT_EQ(p.height, 200);
}

// The dataset side refuses what detect would refuse, JPEG and PNG included
// (their sizes are read without decoding), at the caller's limit.
TEST(DatasetInputs, ImageSizePixelLimit) {
  const std::string jpg = "tests/data/datasets/ctw1500-mini/imgs/test/1002.jpg";  // 300x200
  EXPECT_EQ(read_image_size(jpg, false, 300 * 200).width, 300);
  const std::string m = error_of([&] { read_image_size(jpg, false, 300 * 200 - 1); });
  EXPECT_NE(m.find(jpg), std::string::npos) << m;
  EXPECT_NE(m.find("300x200 pixels, more than the limit of 59999 pixels (--max-image-pixels)"), std::string::npos) << m;
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\x01\x86\xa0\0\x01\x86\xa0\x08\x02\0\0\0", 29);
  EXPECT_NE(error_of([&] { read_image_size(tmp_file("huge.png", png), true); }).find("100000x100000"), std::string::npos);
}

TEST(DatasetInputs, Ctw1500ReadOptionsCarryThePixelLimit) {
  const std::string root = "tests/data/datasets/ctw1500-mini";
  Ctw1500ReadOptions opt;
  EXPECT_FALSE(read_ctw1500_split(root, Ctw1500Split::Test, opt).images.empty());
  opt.max_image_pixels = 1000;
  const std::string m = error_of([&] { read_ctw1500_split(root, Ctw1500Split::Test, opt); });
  EXPECT_NE(m.find("limit of 1000 pixels"), std::string::npos) << m;
  EXPECT_NE(m.find("imgs/test/"), std::string::npos) << m;
}

TEST(DatasetInputs, MissingLabelFileIsAnError) {
  const fs::path root = fs::temp_directory_path() / ("textq_ctw_" + std::to_string(::getpid()));
  fs::create_directories(root / "imgs/test");
  fs::create_directories(root / "annotations/test");
  fs::copy_file("tests/data/datasets/ctw1500-mini/imgs/test/1002.jpg", root / "imgs/test/1002.jpg",
                fs::copy_options::overwrite_existing);
  EXPECT_NE(error_of([&] { read_ctw1500_split(root.string(), Ctw1500Split::Test, {}); }).find("0001002.txt"),
            std::string::npos);
  fs::remove_all(root);
}

}  // namespace
