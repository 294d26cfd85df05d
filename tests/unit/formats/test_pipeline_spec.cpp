// The convert flags (--decoder, --db, --mean, --std, --resize) and MMDeploy's
// SDK json (--pipeline) -> model pre-processing and decoder parameters; every
// malformed value refused with one line naming the flag or json path.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "formats/pipeline_spec.h"
#include "textq/error.h"

namespace textq {
namespace {

namespace fs = std::filesystem;

PipelineParams textsnake_base() { return PipelineParams{}; }

PipelineParams with(const PipelineFlags& f) { return apply_pipeline_flags(f, textsnake_base()); }

// Runs fn, expects an Error of `kind` whose one-line message contains `want`.
template <class Fn>
void expect_error(Fn fn, ErrorKind kind, const std::string& want) {
  try {
    fn();
    ADD_FAILURE() << "no error; wanted: " << want;
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.kind(), kind) << msg;
    EXPECT_NE(msg.find(want), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

std::string temp_json(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / ("textq_pipe_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string p = (dir / name).string();
  std::ofstream(p) << text;
  return p;
}

TEST(PipelineFlags, NoFlagsKeepTheBase) {
  const PipelineParams p = with({});
  EXPECT_EQ(p.preprocess.kind, PreprocessKind::Mmocr);
  EXPECT_EQ(p.decoder.kind, DecoderKind::TextSnake);
}

TEST(PipelineFlags, PaddleDetector) {
  PipelineFlags f;
  f.resize = "paddle:min:736";
  f.decoder = "db";
  f.db = "box_type=poly,box_thresh=0.5,unclip_ratio=2,use_dilation=true,score_mode=slow,thresh=0.25,max_candidates=9";
  const PipelineParams p = with(f);
  EXPECT_EQ(p.preprocess.kind, PreprocessKind::PaddleDetResize);
  EXPECT_EQ(p.preprocess.limit_type, PaddleLimitType::Min);
  EXPECT_EQ(p.preprocess.limit_side_len, 736);
  EXPECT_EQ(p.preprocess.mean[0], 0.485f);  // PaddleOCR's numbers on the BGR planes
  EXPECT_FALSE(p.preprocess.to_rgb);
  EXPECT_EQ(p.decoder.kind, DecoderKind::Db);
  EXPECT_EQ(p.decoder.db.flavour, DbFlavour::Paddle);
  EXPECT_EQ(p.decoder.db.box_type, DbBoxType::Poly);
  EXPECT_EQ(p.decoder.db.min_text_score, 0.5);
  EXPECT_EQ(p.decoder.db.unclip_ratio, 2.0);
  EXPECT_TRUE(p.decoder.db.use_dilation);
  EXPECT_TRUE(p.decoder.db.score_slow);
  EXPECT_EQ(p.decoder.db.mask_thr, 0.25f);
  EXPECT_EQ(p.decoder.db.max_candidates, 9);
}

TEST(PipelineFlags, MmocrResizeMeanStd) {
  PipelineFlags f;
  f.resize = "mmocr:4068x1024/64";
  f.mean = "122.67891434,116.66876762,104.00698793";
  f.std = "58.395,57.12,57.375";
  f.decoder = "db:mmocr0";
  const PipelineParams p = with(f);
  EXPECT_EQ(p.preprocess.scale_long, 4068);
  EXPECT_EQ(p.preprocess.scale_short, 1024);
  EXPECT_EQ(p.preprocess.pad_divisor, 64);
  EXPECT_EQ(p.preprocess.mean[0], 122.67891434f);
  EXPECT_EQ(p.decoder.db.flavour, DbFlavour::Mmocr0);
  EXPECT_EQ(p.decoder.db.min_text_score, 0.3);  // MMOCR's DBNet defaults
  EXPECT_EQ(p.decoder.db.max_candidates, 3000);
}

TEST(PipelineFlags, BadFlagsNameTheFlagAndRule) {
  auto flag = [](auto set) {
    PipelineFlags f;
    set(f);
    return f;
  };
  const ErrorKind usage = ErrorKind::InvalidArgument;
  expect_error([&] { with(flag([](PipelineFlags& f) { f.mean = "1,2"; })); }, usage, "--mean '1,2': expected three");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.mean = "1,x,3"; })); }, usage, "'x' is not a finite number");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.mean = "1,nan,3"; })); }, usage, "'nan' is not a finite number");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.std = "1,0,3"; })); }, usage, "--std '1,0,3': every value must be > 0");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.resize = "1333x736"; })); }, usage, "--resize '1333x736': expected mmocr:");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.resize = "mmocr:0x736"; })); }, usage, "sides 1..16384");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.resize = "paddle:huge:960"; })); }, usage, "--resize 'paddle:huge:960'");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.resize = "paddle:max:-1"; })); }, usage, "SIDE must be a whole number");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.decoder = "east"; })); }, usage, "--decoder 'east': expected textsnake, db");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.decoder = "db:mmocr2"; })); }, usage, "--decoder 'db:mmocr2'");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.db = "box_type=poly"; })); }, usage, "--db 'box_type=poly': needs a DB decoder");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.decoder = "db", f.db = "box_type=hex"; })); }, usage,
               "--db box_type 'hex': must be quad or poly");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.decoder = "db", f.db = "colour=red"; })); }, usage,
               "unknown DB option 'colour'");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.decoder = "db", f.db = "unclip_ratio"; })); }, usage,
               "expected KEY=VALUE");
  expect_error([&] { with(flag([](PipelineFlags& f) { f.decoder = "db", f.db = "unclip_ratio=-1"; })); }, usage, "must be >= 0");
}

TEST(MmdeployJson, DbnetPipelineOfMmocr1) {
  PipelineFlags f;
  f.pipeline = "tests/data/mmdeploy/dbnet_mmocr1/pipeline.json";
  const PipelineParams p = with(f);
  EXPECT_EQ(p.preprocess.kind, PreprocessKind::Mmocr);
  EXPECT_EQ(p.preprocess.scale_long, 1333);
  EXPECT_EQ(p.preprocess.scale_short, 736);
  EXPECT_EQ(p.preprocess.std[2], 57.375f);
  EXPECT_TRUE(p.preprocess.to_rgb);
  EXPECT_EQ(p.preprocess.version, MmocrVersion::v1);  // detail.json: codebase version 1.0.1
  EXPECT_EQ(p.decoder.kind, DecoderKind::Db);
  EXPECT_EQ(p.decoder.db.flavour, DbFlavour::Mmocr1);
  EXPECT_EQ(p.decoder.db.box_type, DbBoxType::Quad);
  // deploy.json leads to its sibling pipeline.json; flags still override.
  f.pipeline = "tests/data/mmdeploy/dbnet_mmocr1/deploy.json";
  f.db = "text_repr_type=poly";
  const PipelineParams q = with(f);
  EXPECT_EQ(q.decoder.db.box_type, DbBoxType::Poly);
  EXPECT_EQ(q.decoder.db.flavour, DbFlavour::Mmocr1);
}

TEST(MmdeployJson, TextSnakePipelineOfMmocr0) {
  PipelineFlags f;
  f.pipeline = "tests/data/mmdeploy/textsnake_mmocr0/pipeline.json";
  const PipelineParams p = with(f);
  EXPECT_EQ(p.decoder.kind, DecoderKind::TextSnake);
  EXPECT_EQ(p.preprocess.scale_long, 1333);
  EXPECT_EQ(p.preprocess.version, MmocrVersion::v0);
}

TEST(MmdeployJson, RefusalsNameFileJsonPathAndRule) {
  const std::string head = R"({"pipeline": {"tasks": [{"module": "Transform", "transforms": [)";
  const std::string ok_tf = R"({"type": "Resize", "keep_ratio": true, "size": [1333, 736]},
      {"type": "Normalize", "mean": [1, 2, 3], "std": [1, 1, 1], "to_rgb": true})";
  const std::string tail = R"(]}, {"module": "mmocr", "component": "DBHead", "params": {}}]}})";
  struct Case { const char* name; std::string text; ErrorKind kind; const char* want; };
  const std::vector<Case> cases = {
      {"notjson", "{\"pipeline\": ", ErrorKind::InvalidFile, "not valid JSON"},
      {"nopipe", "{}", ErrorKind::InvalidFile, "(root).pipeline: is missing"},
      {"crop", head + ok_tf + R"(, {"type": "RandomCrop"})" + tail, ErrorKind::UnsupportedModel,
       "pipeline.tasks[0].transforms[2].type: 'RandomCrop' is not supported"},
      {"ratio", head + R"({"type": "Resize", "keep_ratio": false, "size": [640, 640]})" + tail, ErrorKind::UnsupportedModel,
       "transforms[0].keep_ratio: only keep_ratio: true"},
      {"std0", head + R"({"type": "Resize", "keep_ratio": true, "size": [1333, 736]},
        {"type": "Normalize", "mean": [1, 2, 3], "std": [1, 0, 1], "to_rgb": true})" + tail,
       ErrorKind::InvalidFile, "transforms[1].std: must be > 0"},
      {"padsize", head + ok_tf + R"(, {"type": "Pad", "size": [640, 640]})" + tail, ErrorKind::UnsupportedModel,
       "transforms[2].size: padding to a fixed size is not supported"},
      {"head", head + ok_tf + R"(]}, {"module": "mmocr", "component": "PSEHead", "params": {}}]}})",
       ErrorKind::UnsupportedModel, "pipeline.tasks[1].component: 'PSEHead' is not DBHead or TextSnakeHead"},
      {"param", head + ok_tf + R"(]}, {"module": "mmocr", "component": "DBHead", "params": {"mask_thr": "high"}}]}})",
       ErrorKind::InvalidFile, "pipeline.tasks[1].params.mask_thr 'high': must be a finite number"},
      {"rescale", head + ok_tf + R"(]}, {"module": "mmocr", "component": "DBHead", "params": {"rescale": false}}]}})",
       ErrorKind::UnsupportedModel, "params.rescale: only rescale: true"},
      {"nopost", head + ok_tf + "]}]}}", ErrorKind::InvalidFile, "pipeline.tasks: has no mmocr task"},
  };
  for (const Case& c : cases) {
    const std::string p = temp_json(std::string(c.name) + ".json", c.text);
    PipelineFlags f;
    f.pipeline = p;
    SCOPED_TRACE(c.name);
    expect_error([&] { with(f); }, c.kind, c.want);
    expect_error([&] { with(f); }, c.kind, p);
  }
  PipelineFlags f;
  f.pipeline = temp_json("deploy.json", R"({"version": "1", "models": []})");
  fs::remove(fs::path(f.pipeline).parent_path() / "pipeline.json");
  expect_error([&] { with(f); }, ErrorKind::Io, "holds no pre/post-processing");
}

}  // namespace
}  // namespace textq
