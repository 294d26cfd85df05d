// The textq model file: exact round trips, layout, and refusal of every
// truncation and of hostile headers with a message naming file, section, rule.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "common/graph_nodes.h"
#include "core/file_util.h"
#include "formats/model.h"
#include "formats/model_file_format.h"
#include "textq/error.h"

namespace textq {
namespace {

using json = nlohmann::json;
using Bytes = std::vector<uint8_t>;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("textq_model_" + std::to_string(::getpid()) + "_" + name)).string();
}

void write_bytes(const std::string& path, const Bytes& b, size_t len) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(len));
}

Tensor random_f32(Shape shape, std::mt19937& rng) {
  Tensor t(DType::f32, std::move(shape));
  std::normal_distribution<float> dist(0.f, 1.f);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = dist(rng);
  if (t.numel() > 2) {  // values whose bits a text detour would lose
    p[0] = -0.0f;
    p[1] = std::numeric_limits<float>::denorm_min();
  }
  return t;
}

// A small graph touching every op, an INT8 conv and a bias-less node.
Model make_model() {
  std::mt19937 rng(42);
  Model m;
  m.info = {"TextSnake test net", "ckpt.pth", std::string(64, 'a'), "int8", "textq test"};
  m.preprocess.scale_long = 1280;
  m.preprocess.mean[1] = 116.279998779296875f;
  m.preprocess.std[2] = 57.37f;
  m.preprocess.to_rgb = false;
  m.preprocess.version = MmocrVersion::v1;
  m.decoder.min_center_region_confidence = 0.21f;
  m.decoder.disk_overlap_thr = 0.1 + 0.2;  // not a short decimal
  m.decoder.max_centralize_steps = 123456789012345LL;
  m.decoder.version = MmocrVersion::v1;
  Graph& g = m.graph;
  for (const char* v : {"input", "c1", "pool", "c2q", "cat", "sum", "relu", "up"}) g.add_value(v);
  // Drawn in this order (the saved bytes and checksums depend on it).
  Tensor c1_weight = random_f32({4, 3, 3, 3}, rng);
  Tensor c1_bias = random_f32({4}, rng);
  Tensor c2_bias = random_f32({4}, rng);
  Tensor up_weight = random_f32({8, 2, 2, 2}, rng);
  Tensor c2_weight(DType::i8, {4, 4, 1, 1});
  for (int i = 0; i < 16; ++i) c2_weight.data<int8_t>()[i] = static_cast<int8_t>(i * 17 - 128);
  Node c2 = test::conv_node("conv2.int8", {2}, 3, std::move(c2_weight), std::move(c2_bias), 1, 1, 0);
  c2.quant = test::int8_quant(0.0123f, DType::u8, {0.1f, 0.2f, 1e-7f, 3.4e38f});
  Node up = test::conv_transpose_node("up", {6}, 7, std::move(up_weight), Tensor(), 2, 2, 0);  // no bias
  up.window.output_padding_h = 1;  // one side only
  g.nodes = {test::conv_node("conv1", {0}, 1, std::move(c1_weight), std::move(c1_bias), 3, 1, 1, Activation::Relu),
             test::max_pool_node("pool", 1, 2, 2, 2),
             std::move(c2),
             test::concat_node("cat", {2, 3}, 4),
             test::add_node("add", 4, 4, 5),
             test::relu_node("relu", 5, 6),
             std::move(up)};
  g.outputs = {7, 3};
  return m;
}

bool same_tensor(const Tensor& a, const Tensor& b) {
  if (a.empty() || b.empty()) return a.empty() == b.empty();
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

void expect_same_model(const Model& a, const Model& b) {
  EXPECT_EQ(a.info.architecture, b.info.architecture);
  EXPECT_EQ(a.info.source_path, b.info.source_path);
  EXPECT_EQ(a.info.source_sha256, b.info.source_sha256);
  EXPECT_EQ(a.info.precision, b.info.precision);
  EXPECT_EQ(a.info.producer, b.info.producer);
  EXPECT_EQ(a.preprocess.scale_long, b.preprocess.scale_long);
  EXPECT_EQ(a.preprocess.scale_short, b.preprocess.scale_short);
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(a.preprocess.mean[c], b.preprocess.mean[c]);
    EXPECT_EQ(a.preprocess.std[c], b.preprocess.std[c]);
  }
  EXPECT_EQ(a.preprocess.to_rgb, b.preprocess.to_rgb);
  EXPECT_EQ(a.preprocess.pad_divisor, b.preprocess.pad_divisor);
  EXPECT_EQ(a.preprocess.version, b.preprocess.version);
  EXPECT_EQ(a.decoder.min_center_region_confidence, b.decoder.min_center_region_confidence);
  EXPECT_EQ(a.decoder.min_center_area, b.decoder.min_center_area);
  EXPECT_EQ(a.decoder.disk_overlap_thr, b.decoder.disk_overlap_thr);
  EXPECT_EQ(a.decoder.radius_shrink_ratio, b.decoder.radius_shrink_ratio);
  EXPECT_EQ(a.decoder.min_text_region_confidence, b.decoder.min_text_region_confidence);
  EXPECT_EQ(a.decoder.max_centralize_steps, b.decoder.max_centralize_steps);
  EXPECT_EQ(a.decoder.version, b.decoder.version);
  EXPECT_EQ(a.graph.value_names, b.graph.value_names);
  EXPECT_EQ(a.graph.input, b.graph.input);
  EXPECT_EQ(a.graph.outputs, b.graph.outputs);
  ASSERT_EQ(a.graph.nodes.size(), b.graph.nodes.size());
  for (size_t i = 0; i < a.graph.nodes.size(); ++i) {
    const Node &x = a.graph.nodes[i], &y = b.graph.nodes[i];
    SCOPED_TRACE(x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.output, y.output);
    EXPECT_EQ(x.activation, y.activation);
    EXPECT_EQ(0, std::memcmp(&x.window, &y.window, sizeof(Window2d)));
    EXPECT_EQ(x.quant.enabled, y.quant.enabled);
    EXPECT_EQ(x.quant.src_scale, y.quant.src_scale);
    EXPECT_EQ(x.quant.src_type, y.quant.src_type);
    EXPECT_EQ(x.quant.weight_scales, y.quant.weight_scales);
    EXPECT_EQ(x.quant.dst_scale, y.quant.dst_scale);
    EXPECT_EQ(x.quant.dst_type, y.quant.dst_type);
    EXPECT_EQ(x.quant.residual_scale, y.quant.residual_scale);
    EXPECT_TRUE(same_tensor(x.weight, y.weight));
    EXPECT_TRUE(same_tensor(x.bias, y.bias));
  }
}

struct Saved {
  std::string path;
  Bytes bytes;
  uint64_t header_len = 0;
  json header;
  uint64_t data_start = 0;
};

Saved save_test_model(const std::string& name) {
  Saved s;
  s.path = temp_path(name);
  save_model(make_model(), s.path);
  s.bytes = read_file_bytes(s.path);
  for (int i = 7; i >= 0; --i) s.header_len = (s.header_len << 8) | s.bytes[12 + i];
  s.header = json::parse(s.bytes.begin() + kModelPreambleSize, s.bytes.begin() + kModelPreambleSize + s.header_len);
  s.data_start = model_align(kModelPreambleSize + s.header_len);
  return s;
}

std::string load_error(const std::string& path) {
  try {
    load_model(path);
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos);
    EXPECT_EQ(msg.rfind(path, 0), 0u) << "message must start with the file name: " << msg;
    return msg;
  }
  return "(loaded)";
}

// Re-encodes a saved file with an edited header, keeping its data section.
std::string with_header(const Saved& s, const std::function<void(json&)>& edit, const std::string& name) {
  json h = s.header;
  edit(h);
  const std::string text = h.dump();
  Bytes out(kModelMagic, kModelMagic + 8);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(kModelFormatVersion >> (8 * i)));
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(uint64_t(text.size()) >> (8 * i)));
  out.insert(out.end(), text.begin(), text.end());
  out.resize(model_align(out.size()), 0);
  out.insert(out.end(), s.bytes.begin() + static_cast<std::ptrdiff_t>(s.data_start), s.bytes.end());
  const std::string p = temp_path(name);
  write_bytes(p, out, out.size());
  return p;
}

TEST(ModelFile, RoundTripIsExact) {
  Saved s = save_test_model("roundtrip.tqm");
  Model back = load_model(s.path);
  expect_same_model(make_model(), back);
  // Saving the loaded model again gives the same bytes.
  const std::string again = temp_path("roundtrip2.tqm");
  save_model(back, again);
  EXPECT_EQ(read_file_bytes(again), s.bytes);
  std::remove(again.c_str());
  std::remove(s.path.c_str());
}

TEST(ModelFile, LayoutMatchesTheDocumentedFormat) {
  Saved s = save_test_model("layout.tqm");
  EXPECT_EQ(std::memcmp(s.bytes.data(), "TEXTQMDL", 8), 0);
  EXPECT_EQ(s.bytes[8], 1);  // only version-1 ops and the TextSnake pipeline: stamped 1
  EXPECT_EQ(s.bytes[9] | s.bytes[10] | s.bytes[11], 0);
  EXPECT_EQ(s.data_start % 64, 0u);
  EXPECT_EQ(s.bytes.size(), s.data_start + s.header["data_size"].get<uint64_t>());
  const json& t = s.header["tensors"];
  ASSERT_EQ(t.size(), 5u);  // conv1 w+b, conv2 w+b, up w
  EXPECT_EQ(t[2]["name"], "conv2.int8.weight");
  EXPECT_EQ(t[2]["dtype"], "s8");
  for (const json& e : t) {
    EXPECT_EQ(e["offset"].get<uint64_t>() % 64, 0u);
    const uint8_t* p = s.bytes.data() + s.data_start + e["offset"].get<uint64_t>();
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(p, e["length"].get<size_t>())));
    EXPECT_EQ(e["fnv1a64"].get<std::string>(), hex);
  }
  EXPECT_EQ(fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);  // FNV-1a 64 reference vector
  std::remove(s.path.c_str());
}

TEST(ModelFile, TruncationAtSectionBoundariesIsNamed) {
  Saved s = save_test_model("bounds.tqm");
  const std::string p = temp_path("bounds_cut.tqm");
  struct Cut { uint64_t len; const char* want; };
  std::vector<Cut> cuts = {
      {0, "not a textq model file"}, {7, "not a textq model file"}, {8, "preamble: file ends after 8 bytes"},
      {19, "preamble: file ends after 19 bytes"}, {20, "header: needs bytes [20, "},
      {20 + s.header_len - 1, "header: needs bytes"}, {20 + s.header_len, "header padding: needs bytes"},
      {s.data_start, "data: the header says the data section"}};
  for (const json& e : s.header["tensors"]) {
    uint64_t off = s.data_start + e["offset"].get<uint64_t>(), len = e["length"].get<uint64_t>();
    cuts.push_back({off, "data: the header says"});
    cuts.push_back({off + len / 2, "data: the header says"});
    cuts.push_back({off + len, "data: the header says"});
  }
  for (const Cut& c : cuts) {
    if (c.len >= s.bytes.size()) continue;  // the last tensor's end is the file's end
    write_bytes(p, s.bytes, c.len);
    std::string msg = load_error(p);
    EXPECT_NE(msg.find(c.want), std::string::npos) << "cut at " << c.len << ": " << msg;
  }
  std::remove(p.c_str());
  std::remove(s.path.c_str());
}

// Every prefix of the file (a superset of any random cut) must be refused.
// Cutting one file shorter and shorter with truncate() avoids rewriting it
// thousands of times (ext4 flushes files rewritten after truncation to 0).
TEST(ModelFile, EveryTruncationIsRefused) {
  Saved s = save_test_model("every.tqm");
  for (size_t len = s.bytes.size(); len-- > 0;) {
    ASSERT_EQ(::truncate(s.path.c_str(), static_cast<off_t>(len)), 0);
    EXPECT_THROW(load_model(s.path), Error) << "truncated to " << len << " bytes";
  }
  std::remove(s.path.c_str());
}

// Flips patched in place (and undone) anywhere in the file: refused or loaded, never a crash.
TEST(ModelFile, RandomByteFlipsNeverCrash) {
  Saved s = save_test_model("flips.tqm");
  std::mt19937 rng(99);
  int refused = 0;
  FILE* f = std::fopen(s.path.c_str(), "r+b");
  ASSERT_NE(f, nullptr);
  for (int trial = 0; trial < 400; ++trial) {
    const size_t at = rng() % s.bytes.size();
    const uint8_t bad = s.bytes[at] ^ static_cast<uint8_t>(1 + rng() % 255);
    std::fseek(f, static_cast<long>(at), SEEK_SET);
    std::fputc(bad, f);
    std::fflush(f);
    try {
      load_model(s.path);
    } catch (const Error&) {
      ++refused;
    }
    std::fseek(f, static_cast<long>(at), SEEK_SET);
    std::fputc(s.bytes[at], f);
    std::fflush(f);
  }
  std::fclose(f);
  EXPECT_GT(refused, 300);  // most flips must be caught (data flips by the checksums)
  std::remove(s.path.c_str());
}

TEST(ModelFile, PreambleErrors) {
  Saved s = save_test_model("pre.tqm");
  const std::string p = temp_path("pre_bad.tqm");
  Bytes b = s.bytes;
  b[0] = 'X';
  write_bytes(p, b, b.size());
  EXPECT_NE(load_error(p).find("not a textq model file"), std::string::npos);
  b = s.bytes;
  b[8] = static_cast<uint8_t>(kModelFormatVersion + 1);
  write_bytes(p, b, b.size());
  EXPECT_NE(load_error(p).find("this file is version " + std::to_string(kModelFormatVersion + 1) +
                               " but this textq reads up to " + std::to_string(kModelFormatVersion)),
            std::string::npos);
  try {
    load_model(p);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::UnsupportedModel);
  }
  b = s.bytes;
  b[19] = 0x7f;  // header length ~2^63
  write_bytes(p, b, b.size());
  EXPECT_NE(load_error(p).find("preamble: header length"), std::string::npos);
  b = s.bytes;
  b[12] = static_cast<uint8_t>(b[12] + 1);  // header length one byte longer: data section no longer matches
  write_bytes(p, b, b.size());
  EXPECT_NE(load_error(p).find("header: contains a NUL byte"), std::string::npos);
  EXPECT_THROW(load_model(temp_path("missing.tqm")), Error);
  std::remove(p.c_str());
  std::remove(s.path.c_str());
}

TEST(ModelFile, ChecksumMismatchNamesTheTensor) {
  Saved s = save_test_model("crc.tqm");
  const std::string p = temp_path("crc_bad.tqm");
  Bytes b = s.bytes;
  const json& t = s.header["tensors"][4];  // up.weight
  b[s.data_start + t["offset"].get<uint64_t>() + 5] ^= 0x40;
  write_bytes(p, b, b.size());
  EXPECT_NE(load_error(p).find("data of tensor up.weight: checksum mismatch"), std::string::npos);
  std::remove(p.c_str());
  std::remove(s.path.c_str());
}

struct HeaderCase {
  const char* name;
  std::function<void(json&)> edit;
  const char* want;
};

TEST(ModelFile, HostileHeadersAreRefusedWithTheRule) {
  Saved s = save_test_model("hdr.tqm");
  const std::vector<HeaderCase> cases = {
      {"misaligned", [](json& h) { h["tensors"][1]["offset"] = 65; }, "tensors[1].offset: 65 is not 64-byte aligned"},
      {"outside", [](json& h) { h["tensors"][4]["offset"] = 1 << 20; }, "tensors[4]: bytes [1048576, +"},
      {"length", [](json& h) { h["tensors"][0]["length"] = 12; }, "tensors[0].length: 12 bytes does not match shape [4, 3, 3, 3] of f32"},
      {"overflow", [](json& h) { h["tensors"][0]["shape"] = {1LL << 40, 1LL << 40}; }, "element count overflows int64"},
      {"negative", [](json& h) { h["tensors"][0]["shape"][0] = -4; }, "tensors[0].shape[0]: is -4, out of range"},
      {"dtype", [](json& h) { h["tensors"][0]["dtype"] = "f64"; }, "tensors[0].dtype: 'f64' is not f32 or s8"},
      {"overlap", [](json& h) { h["tensors"][1]["offset"] = 0; }, "tensors[1].offset: overlaps the previous tensor"},
      {"crc_text", [](json& h) { h["tensors"][0]["fnv1a64"] = "xyz"; }, "tensors[0].fnv1a64: must be 16 lowercase hex digits"},
      {"unused", [](json& h) { h["graph"]["nodes"][6]["weight"] = nullptr; }, "graph.nodes[6] (up).weight: a ConvTranspose node needs a weight"},
      {"unused2", [](json& h) { h["graph"]["nodes"][0]["bias"] = nullptr; }, "tensors[1]: tensor conv1.bias is not used by any node"},
      {"twice", [](json& h) { h["graph"]["nodes"][2]["bias"] = 1; }, "graph.nodes[2] (conv2.int8).bias: tensor #1 (conv1.bias) is already used"},
      {"bad_ref", [](json& h) { h["graph"]["nodes"][0]["weight"] = 99; }, "graph.nodes[0] (conv1).weight: is 99, out of range [0, 4]"},
      {"op", [](json& h) { h["graph"]["nodes"][1]["op"] = "Softmax"; }, "graph.nodes[1] (pool).op: 'Softmax' is not a known op"},
      {"pool_weight", [](json& h) { h["graph"]["nodes"][1]["weight"] = 0; }, "MaxPool nodes carry no weight or bias"},
      {"value_id", [](json& h) { h["graph"]["nodes"][3]["inputs"][1] = 8; }, "graph.nodes[3] (cat).inputs[1]: is 8, out of range [0, 7]"},
      {"topo", [](json& h) { h["graph"]["nodes"][3]["inputs"][1] = 5; }, "graph node `cat` (Concat): input `sum` is used before it is produced"},
      {"quant_dtype", [](json& h) { h["graph"]["nodes"][2]["quant"]["enabled"] = false; }, "weight dtype is s8, expected f32"},
      {"scale_null", [](json& h) { h["graph"]["nodes"][2]["quant"]["weight_scales"][0] = nullptr; }, "weight_scales[0]: must be a finite number"},
      {"scale_neg", [](json& h) { h["graph"]["nodes"][2]["quant"]["weight_scales"][1] = -1.0; }, "weight_scales[1]: must be a positive float"},
      {"kernel", [](json& h) { h["graph"]["nodes"][0]["window"]["kernel"] = {5, 3}; }, "does not match kernel 5x3"},
      {"missing", [](json& h) { h["decoder"].erase("disk_overlap_thr"); }, "header: decoder.disk_overlap_thr: is missing"},
      {"type", [](json& h) { h["preprocess"]["scale_long"] = "big"; }, "preprocess.scale_long: must be an integer"},
      {"std", [](json& h) { h["preprocess"]["std"][0] = 0; }, "preprocess.std: must be positive"},
      {"precision", [](json& h) { h["info"]["precision"] = "fp16"; }, "info.precision: must be fp32 or int8"},
      {"no_kind", [](json& h) { h["decoder"].erase("kind"); }, "header: decoder.kind: is missing"},
      {"pre_kind", [](json& h) { h["preprocess"]["kind"] = "yolo"; }, "preprocess.kind: 'yolo' is not mmocr or paddle_det_resize"},
      {"dec_kind", [](json& h) { h["decoder"]["kind"] = "east"; }, "decoder.kind: 'east' is not textsnake or db"},
      {"data_size", [](json& h) { h["data_size"] = 64; }, "data: the header says the data section is 64 bytes"},
      {"deep", [](json& h) { json j = 1; for (int i = 0; i < 40; ++i) j = json::array({j}); h["info"]["x"] = j; }, "JSON nested deeper than 16"},
  };
  for (const HeaderCase& c : cases) {
    const std::string p = with_header(s, c.edit, std::string("hdr_") + c.name + ".tqm");
    std::string msg = load_error(p);
    EXPECT_NE(msg.find(c.want), std::string::npos) << c.name << ": " << msg;
    std::remove(p.c_str());
  }
  // The unedited re-encoding loads: the cases fail because of their edit.
  const std::string same = with_header(s, [](json&) {}, "hdr_same.tqm");
  EXPECT_NO_THROW(load_model(same));
  std::remove(same.c_str());
  std::remove(s.path.c_str());
}

// A DB model with PaddleOCR pre-processing keeps every parameter bit for bit.
TEST(ModelFile, DbAndPaddleParametersRoundTrip) {
  Model m = make_model();
  m.preprocess = paddle_det_preprocess_defaults();
  m.preprocess.limit_type = PaddleLimitType::ResizeLong;
  m.preprocess.limit_side_len = 1024;
  m.preprocess.max_side_limit = 2000;
  m.preprocess.scale = 1.0f / 127.5f;
  m.decoder.kind = DecoderKind::Db;
  m.decoder.db = db_defaults(DbFlavour::Mmocr1);
  m.decoder.db.box_type = DbBoxType::Poly;
  m.decoder.db.mask_thr = 0.3f;
  m.decoder.db.min_text_score = 0.1 + 0.2;
  m.decoder.db.min_text_width = 7;
  m.decoder.db.unclip_ratio = 1.75;
  m.decoder.db.epsilon_ratio = 0.002;
  m.decoder.db.max_candidates = 17;
  m.decoder.db.use_dilation = true;
  m.decoder.db.score_slow = true;
  const std::string p = temp_path("db.tqm");
  save_model(m, p);
  const Model b = load_model(p);
  EXPECT_EQ(b.preprocess.kind, PreprocessKind::PaddleDetResize);
  EXPECT_EQ(b.preprocess.limit_type, PaddleLimitType::ResizeLong);
  EXPECT_EQ(b.preprocess.limit_side_len, 1024);
  EXPECT_EQ(b.preprocess.max_side_limit, 2000);
  EXPECT_EQ(b.preprocess.scale, 1.0f / 127.5f);
  EXPECT_FALSE(b.preprocess.to_rgb);
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(b.preprocess.mean[c], m.preprocess.mean[c]);
    EXPECT_EQ(b.preprocess.std[c], m.preprocess.std[c]);
  }
  const DbParams& x = b.decoder.db;
  EXPECT_EQ(b.decoder.kind, DecoderKind::Db);
  EXPECT_EQ(x.flavour, DbFlavour::Mmocr1);
  EXPECT_EQ(x.box_type, DbBoxType::Poly);
  EXPECT_EQ(x.mask_thr, 0.3f);
  EXPECT_EQ(x.min_text_score, 0.1 + 0.2);
  EXPECT_EQ(x.min_text_width, 7);
  EXPECT_EQ(x.unclip_ratio, 1.75);
  EXPECT_EQ(x.epsilon_ratio, 0.002);
  EXPECT_EQ(x.max_candidates, 17);
  EXPECT_TRUE(x.use_dilation);
  EXPECT_TRUE(x.score_slow);
  std::remove(p.c_str());
}

// A format-1 file (written by textq before pipeline kinds existed, kept in
// tests/data/model_file) still loads: MMOCR pre-processing, TextSnake decoder.
TEST(ModelFile, Version1FileStillLoads) {
  const std::string path = "tests/data/model_file/v1_tiny_fp32.textq";
  const Bytes bytes = read_file_bytes(path);
  ASSERT_GT(bytes.size(), 12u);
  ASSERT_EQ(bytes[8], 1) << "the fixture must stay a version 1 file";
  const Model m = load_model(path);
  EXPECT_EQ(m.preprocess.kind, PreprocessKind::Mmocr);
  EXPECT_EQ(m.decoder.kind, DecoderKind::TextSnake);
  EXPECT_EQ(m.preprocess.scale_long, 1333);
  EXPECT_EQ(m.preprocess.mean[0], 123.675f);
  EXPECT_EQ(m.decoder.min_center_region_confidence, 0.2f);
  EXPECT_FALSE(m.graph.nodes.empty());
  // Saved again it stays version 1 (nothing in it needs 2) and loads the same.
  const std::string p = temp_path("v1_resaved.tqm");
  save_model(m, p);
  EXPECT_EQ(read_file_bytes(p)[8], 1);
  const Model again = load_model(p);
  EXPECT_EQ(again.graph.nodes.size(), m.graph.nodes.size());
  EXPECT_EQ(again.decoder.kind, DecoderKind::TextSnake);
  std::remove(p.c_str());
}

TEST(ModelFile, HeaderThatIsNotJson) {
  Saved s = save_test_model("notjson.tqm");
  Bytes b = s.bytes;
  b[kModelPreambleSize] = '[';
  const std::string p = temp_path("notjson_bad.tqm");
  write_bytes(p, b, b.size());
  EXPECT_NE(load_error(p).find("header: not valid JSON"), std::string::npos);
  std::remove(p.c_str());
  std::remove(s.path.c_str());
}

TEST(ModelFile, SaveIsAtomic) {
  Saved s = save_test_model("atomic.tqm");
  Model bad = make_model();
  bad.graph.nodes[0].weight = Tensor(DType::f32, {4, 3, 5, 5});  // verify() refuses: kernel mismatch
  EXPECT_THROW(save_model(bad, s.path), Error);
  EXPECT_EQ(read_file_bytes(s.path), s.bytes) << "a failed save must leave the old file untouched";
  EXPECT_THROW(save_model(make_model(), temp_path("no_such_dir/x.tqm")), Error);
  Model nan = make_model();
  nan.graph.nodes[2].quant.weight_scales[3] = NAN;
  try {
    save_model(nan, s.path);
    ADD_FAILURE() << "NaN saved";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("header.graph.nodes[2].quant.weight_scales[3] is not a finite number"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file_bytes(s.path), s.bytes);
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    EXPECT_EQ(e.path().filename().string().find("atomic.tqm.tmp-"), std::string::npos) << "temporary left behind";
  std::remove(s.path.c_str());
}

}  // namespace
}  // namespace textq
