// Loading the report's json inputs: round trip of the quantize report and
// one-line errors naming the file and key.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/error_of.h"
#include "core/file_util.h"
#include "report/report_inputs.h"

namespace {

using namespace textq;
using namespace textq::report;
using textq::test::error_of;
namespace fs = std::filesystem;

class ReportInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("textq_report_inputs_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const std::string p = (dir_ / name).string();
    std::ofstream(p) << text;
    return p;
  }
  fs::path dir_;
};

const char* kEval = R"({"metric":"mmocr0","annotations":"a.json","predictions":"m.textq","images":3,
 "thresholds":[{"threshold":0.3,"recall":0.5,"precision":0.25,"hmean":0.3333,"matched":1,"gt":2,"det":4},
               {"threshold":0.4,"recall":0.5,"precision":0.5,"hmean":0.5,"matched":1,"gt":2,"det":2}],
 "best":{"threshold":0.4,"recall":0.5,"precision":0.5,"hmean":0.5,"matched":1,"gt":2,"det":2}})";

TEST_F(ReportInputs, LoadsAnEvalReport) {
  const EvalSummary e = load_eval_summary(write("e.json", kEval));
  EXPECT_EQ(e.metric, "mmocr0");
  EXPECT_EQ(e.images, 3);
  ASSERT_EQ(e.thresholds.size(), 2u);
  EXPECT_EQ(e.best_index, 1u);
  EXPECT_EQ(e.thresholds[0].det, 4);
  EXPECT_EQ(e.best.hmean, 0.5);
}

TEST_F(ReportInputs, EvalErrorsNameFileAndKey) {
  std::string bad = kEval;
  bad.replace(bad.find("\"hmean\":0.5,"), 12, "\"hmean\":\"x\",");
  const std::string p = write("bad.json", bad);
  EXPECT_EQ(error_of([&] { load_eval_summary(p); }), p + ": key thresholds[1].hmean: expected a number");
  const std::string p2 = write("m.json", R"({"metric":"coco","images":1,"thresholds":[],"best":{}})");
  EXPECT_EQ(error_of([&] { load_eval_summary(p2); }), p2 + ": key metric: must be mmocr0 or mmocr1, got coco");
  const std::string p3 = write("j.json", "{\"metric\": ");
  EXPECT_NE(error_of([&] { load_eval_summary(p3); }).find(p3 + ": not valid JSON"), std::string::npos);
  std::string nobest = kEval;
  nobest.replace(nobest.rfind("\"threshold\":0.4"), 15, "\"threshold\":0.5");
  const std::string p4 = write("nb.json", nobest);
  EXPECT_EQ(error_of([&] { load_eval_summary(p4); }), p4 + ": key best.threshold: is not one of the thresholds");
  EXPECT_NE(error_of([&] { load_eval_summary((dir_ / "missing.json").string()); }).find("missing.json"), std::string::npos);
}

TEST_F(ReportInputs, LoadsABenchFileAndChecksTheTimes) {
  const std::string ok = write("b.json", R"({"model":"m","precision":"int8","input_shape":[1,3,736,1280],"backend":"onednn",
    "threads":2,"isa":"avx2","runs":3,"median_ms":10.5,"min_ms":10,"max_ms":12,"gops":1.5,"peak_rss_mb":100})");
  const BenchSummary b = load_bench_summary(ok);
  EXPECT_EQ(b.median_ms, 10.5);
  EXPECT_EQ(b.input_shape, (std::vector<int64_t>{1, 3, 736, 1280}));
  EXPECT_EQ(b.isa, "avx2");
  const std::string bad = write("b2.json", R"({"threads":2,"runs":3,"median_ms":10.5,"min_ms":11,"max_ms":12})");
  EXPECT_EQ(error_of([&] { load_bench_summary(bad); }), bad + ": key median_ms: need 0 < min_ms <= median_ms <= max_ms");
}

TEST_F(ReportInputs, QuantReportRoundTripsIncludingExactLayers) {
  QuantSummary q;
  q.model_fp32 = "f.textq";
  q.model_int8 = "i.textq";
  q.method = "percentile";
  q.percentile = 99.9;
  q.calib_source = "calib/";
  q.calib_images = 32;
  q.calib_available = 40;
  q.seed = 7;
  q.diag_images = 4;
  q.int8_nodes = 1;
  q.conv_nodes = 2;
  q.stem_decision = "conv1 is INT8";
  q.fp32_bytes = 5000;
  q.int8_bytes = 1500;
  QuantLayer a;
  a.name = "conv1";
  a.op = "Conv";
  a.int8 = true;
  a.src = "s8 0.01";
  a.dst = "u8 0.02";
  a.out_max = 5;
  a.threshold = 4.5;
  a.sqnr_db = INFINITY;
  a.cosine = 1;
  a.samples = 100;
  QuantLayer h = a;
  h.name = "head";
  h.int8 = false;
  h.fp32_reason = "head";
  h.sqnr_db = 25.5;
  h.cosine = 0.998;
  h.channel_sqnr_db = {27.5, INFINITY, 45.25};
  q.layers = {a, h};
  q.val_images = 5;
  q.val_sqnr_db = 24.0;
  q.val_cosine = 0.99;
  q.val_channel_sqnr_db = {20.5, 30.0};
  const std::string p = (dir_ / "q.json").string();
  save_quant_summary(q, p);
  EXPECT_NE(read_file_text(p).find("\"sqnr_db\": null"), std::string::npos);
  const QuantSummary r = load_quant_summary(p);
  EXPECT_EQ(r.path, p);
  EXPECT_EQ(r.method, "percentile");
  EXPECT_EQ(r.percentile, 99.9);
  EXPECT_EQ(r.seed, 7u);
  EXPECT_EQ(r.int8_bytes, 1500);
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_TRUE(std::isinf(r.layers[0].sqnr_db));
  EXPECT_TRUE(r.layers[0].int8);
  EXPECT_EQ(r.layers[1].sqnr_db, 25.5);
  EXPECT_EQ(r.layers[1].fp32_reason, "head");
  EXPECT_EQ(r.layers[0].src, "s8 0.01");
  EXPECT_TRUE(r.layers[0].channel_sqnr_db.empty());
  ASSERT_EQ(r.layers[1].channel_sqnr_db.size(), 3u);
  EXPECT_EQ(r.layers[1].channel_sqnr_db[0], 27.5);
  EXPECT_TRUE(std::isinf(r.layers[1].channel_sqnr_db[1]));
  EXPECT_EQ(r.layers[1].channel_sqnr_db[2], 45.25);
  ASSERT_TRUE(r.val_sqnr_db.has_value());
  EXPECT_EQ(*r.val_sqnr_db, 24.0);
  EXPECT_EQ(r.val_images, 5);
  EXPECT_EQ(r.val_channel_sqnr_db, (std::vector<double>{20.5, 30.0}));
}

TEST_F(ReportInputs, QuantReportChannelSqnrMustBeNumbers) {
  const std::string p = write("q.json", R"({"format":"textq-quant-report","version":1,"method":"mse",
    "calibration":{"source":"c","images":1,"available":1,"seed":0},"diag_images":1,"int8_nodes":0,"conv_nodes":1,
    "sizes":{"fp32_bytes":1,"int8_bytes":1},
    "layers":[{"name":"h","op":"Conv","precision":"fp32","src":"f32","dst":"f32","out_min":0,"out_max":1,
               "threshold":0,"sqnr_db":null,"cosine":1,"samples":1,"channel_sqnr_db":[1.5,"x"]}]})");
  EXPECT_NE(error_of([&] { load_quant_summary(p); }).find(p + ": key layers[0].channel_sqnr_db[1]: expected a number (dB) or null (exact)"),
            std::string::npos)
      << error_of([&] { load_quant_summary(p); });
}

TEST_F(ReportInputs, QuantReportMustSayWhatItIs) {
  const std::string p = write("q.json", R"({"metric":"mmocr0"})");
  EXPECT_NE(error_of([&] { load_quant_summary(p); }).find(p + ": key format: expected \"textq-quant-report\""), std::string::npos);
}

}  // namespace
