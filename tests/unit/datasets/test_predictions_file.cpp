// The predictions file reader/writer (src/formats/predictions.cpp).
// The formats suite links only textq_formats, which another engineer is still
// building; the implementation is compiled into this suite until the lead
// moves this file to tests/unit/formats (then drop the .cpp include).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "formats/predictions.cpp"  // NOLINT(build/include): see header comment

namespace {

namespace fs = std::filesystem;

std::string write_tmp(const std::string& name, const std::string& body) {
  const fs::path dir = fs::temp_directory_path() / ("textq_pred_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string p = (dir / name).string();
  std::ofstream(p, std::ios::binary) << body;
  return p;
}

std::string load_error(const std::string& body) {
  const std::string p = write_tmp("p.json", body);
  try {
    textq::load_predictions(p);
  } catch (const textq::Error& e) {
    return e.what();
  }
  return "";
}

std::string doc(const std::string& image) {
  return R"({"format":"textq-predictions","version":1,"model":"m.textq","predictions":[)" + image + "]}";
}

TEST(PredictionsFile, RoundTrip) {
  textq::PredictionsFile f;
  f.model = "ts.textq";
  f.predictions.push_back({"imgs/1001.jpg", 240, 160, {{1.5, 2, 3, 4, 5.25, 6}, {0, 0, 1, 0, 1, 1, 0, 1}}, {0.9, 0.30000001192092896}});
  f.predictions.push_back({"imgs/1002.jpg", 300, 200, {}, {}});
  const std::string p = write_tmp("rt.json", "");
  textq::save_predictions(f, p);
  const auto g = textq::load_predictions(p);
  ASSERT_EQ(g.predictions.size(), 2u);
  EXPECT_EQ(g.model, "ts.textq");
  EXPECT_EQ(g.predictions[0].polygons, f.predictions[0].polygons);
  EXPECT_EQ(g.predictions[0].scores, f.predictions[0].scores);  // exact doubles
  EXPECT_EQ(g.predictions[1].width, 300);
}

TEST(PredictionsFile, BadInputsNameTheRule) {
  EXPECT_NE(load_error("{\"format\":").find("not valid JSON"), std::string::npos);
  EXPECT_NE(load_error(R"({"format":"other","version":1,"predictions":[]})").find("\"format\" must be"),
            std::string::npos);
  EXPECT_NE(load_error(R"({"format":"textq-predictions","version":2,"predictions":[]})").find("version 2"),
            std::string::npos);
  EXPECT_NE(load_error(doc(R"({"img_path":"a.jpg","polygons":[[1,2,3,4,5,6,7]],"scores":[0.5]})"))
                .find("predictions[0] (a.jpg): polygon 0: odd number of coordinates (7)"),
            std::string::npos);
  EXPECT_NE(load_error(doc(R"({"img_path":"a.jpg","polygons":[[1,2,3,4]],"scores":[0.5]})")).find("at least 3"),
            std::string::npos);
  EXPECT_NE(load_error(doc(R"({"img_path":"a.jpg","polygons":[[1,2,3,4,5,6]],"scores":[]})"))
                .find("1 polygons but 0 scores"),
            std::string::npos);
  EXPECT_NE(load_error(doc(R"({"img_path":"a.jpg","polygons":[[1,2,3,4,5,NaN]],"scores":[1]})")).find("not valid JSON"),
            std::string::npos);
  EXPECT_FALSE(load_error(doc(R"({"img_path":"a.jpg","polygons":[[1,2,3,4,5,1e400]],"scores":[1]})")).empty());
  EXPECT_NE(load_error(doc(R"({"img_path":"a.jpg","polygons":[[1,2,3,4,5,6]],"scores":["x"]})")).find("score 0"),
            std::string::npos);
}

TEST(PredictionsFile, SaveRejectsNonFinite) {
  textq::PredictionsFile f;
  f.predictions.push_back({"a.jpg", 1, 1, {{0, 0, 1, 0, 1, std::nan("")}}, {0.5}});
  EXPECT_THROW(textq::save_predictions(f, write_tmp("nan.json", "")), textq::Error);
}

}  // namespace
