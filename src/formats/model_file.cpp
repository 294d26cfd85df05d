// save_model / load_model: the textq model file (layout in model_file_format.h
// and docs/formats.md). The loader trusts nothing: every count, offset, length,
// dtype and checksum is checked before use, and graph.verify() runs last.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "formats/model.h"
#include "formats/model_file_format.h"
#include "textdet/db_params.h"
#include "textq/error.h"

namespace textq {

using json = nlohmann::json;

uint64_t fnv1a64(const void* data, size_t size) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

namespace {

std::string hex64(uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// The dtypes a model file may hold (weights f32 or s8, biases f32).
const struct { DType dtype; const char* name; } kFileDtypes[] = {{DType::f32, "f32"}, {DType::i8, "s8"}};

const char* file_dtype_name(DType d) {
  for (const auto& e : kFileDtypes)
    if (e.dtype == d) return e.name;
  return nullptr;
}

// ------------------------------------------------------------------ writing

json window_to_json(const Window2d& w) {
  return {{"kernel", {w.kernel_h, w.kernel_w}}, {"stride", {w.stride_h, w.stride_w}},
          {"pads", {w.pad_top, w.pad_left, w.pad_bottom, w.pad_right}}, {"dilation", {w.dilation_h, w.dilation_w}},
          {"output_padding", {w.output_padding_h, w.output_padding_w}}, {"groups", w.groups}};
}

json quant_to_json(const QuantParams& q) {
  return {{"enabled", q.enabled}, {"src_scale", q.src_scale}, {"src_type", dtype_name(q.src_type)},
          {"weight_scales", q.weight_scales}, {"dst_scale", q.dst_scale}, {"dst_type", dtype_name(q.dst_type)},
          {"residual_scale", q.residual_scale}};
}

// Ops that need format version 2 (everything after Relu in ir/ops.def).
bool needs_v2(OpKind op) { return static_cast<int>(op) > static_cast<int>(OpKind::Relu); }

// The lowest version that holds the model: a TextSnake graph with MMOCR
// pre-processing and the TextSnake decoder stays readable by version-1 readers
// (which ignore the "kind" keys); new ops or another pipeline kind need 2.
uint32_t file_version_for(const Model& m) {
  if (m.preprocess.kind != PreprocessKind::Mmocr || m.decoder.kind != DecoderKind::TextSnake) return 2;
  for (const Node& n : m.graph.nodes)
    if (needs_v2(n.op)) return 2;
  return 1;
}

// Resize enums by their ONNX spelling.
template <class E>
const char* enum_name(E e);
template <> const char* enum_name(ResizeMode e) { return resize_mode_name(e); }
template <> const char* enum_name(CoordMode e) { return coord_mode_name(e); }
template <> const char* enum_name(NearestRound e) { return nearest_round_name(e); }

json attrs_to_json(const OpAttrs& a) {
  return {{"alpha", a.alpha}, {"beta", a.beta}, {"count_include_pad", a.count_include_pad},
          {"resize_mode", enum_name(a.resize_mode)}, {"coord_mode", enum_name(a.coord_mode)},
          {"nearest_round", enum_name(a.nearest_round)}, {"scales", {a.scale_h, a.scale_w}},
          {"sizes", {a.out_h, a.out_w}}};
}

json preprocess_to_json(const PreprocessParams& p) {
  json j = {{"mean", {p.mean[0], p.mean[1], p.mean[2]}}, {"std", {p.std[0], p.std[1], p.std[2]}}, {"to_rgb", p.to_rgb}};
  if (p.kind == PreprocessKind::PaddleDetResize) {
    j["kind"] = "paddle_det_resize";
    j["limit_side_len"] = p.limit_side_len;
    j["limit_type"] = paddle_limit_type_name(p.limit_type);
    j["max_side_limit"] = p.max_side_limit;
    j["scale"] = p.scale;
  } else {
    j["kind"] = "mmocr";
    j["scale_long"] = p.scale_long;
    j["scale_short"] = p.scale_short;
    j["pad_divisor"] = p.pad_divisor;
    j["mmocr_version"] = static_cast<int>(p.version);
  }
  return j;
}

json decoder_to_json(const DecoderParams& d) {
  if (d.kind == DecoderKind::Db) {
    const DbParams& b = d.db;
    return {{"kind", "db"}, {"flavour", db_flavour_name(b.flavour)}, {"box_type", db_box_type_name(b.box_type)},
            {"mask_thr", b.mask_thr}, {"min_text_score", b.min_text_score}, {"min_text_width", b.min_text_width},
            {"unclip_ratio", b.unclip_ratio}, {"epsilon_ratio", b.epsilon_ratio}, {"max_candidates", b.max_candidates},
            {"use_dilation", b.use_dilation}, {"score_mode", b.score_slow ? "slow" : "fast"}};
  }
  return {{"kind", "textsnake"}, {"min_center_region_confidence", d.min_center_region_confidence},
          {"min_center_area", d.min_center_area}, {"disk_overlap_thr", d.disk_overlap_thr},
          {"radius_shrink_ratio", d.radius_shrink_ratio}, {"min_text_region_confidence", d.min_text_region_confidence},
          {"max_centralize_steps", d.max_centralize_steps}, {"mmocr_version", static_cast<int>(d.version)}};
}

struct TensorRecord {
  const Tensor* tensor;
  uint64_t offset;
};

json build_header(const Model& m, std::vector<TensorRecord>* records) {
  json tensors = json::array();
  uint64_t offset = 0;
  auto add_tensor = [&](const Tensor& t, const std::string& name) -> json {
    if (t.empty()) return nullptr;
    const char* dn = file_dtype_name(t.dtype());
    if (!dn) throw Error(ErrorKind::InvalidArgument, "cannot save tensor " + name + ": dtype " + dtype_name(t.dtype()) + " has no place in a model file");
    const size_t index = tensors.size();
    tensors.push_back({{"name", name}, {"dtype", dn}, {"shape", t.shape()}, {"offset", offset}, {"length", t.nbytes()},
                       {"fnv1a64", hex64(fnv1a64(t.raw(), t.nbytes()))}});
    records->push_back({&t, offset});
    offset = model_align(offset + t.nbytes());
    return index;
  };
  json nodes = json::array();
  for (const Node& n : m.graph.nodes) {
    json j = {{"name", n.name}, {"op", op_kind_name(n.op)}, {"inputs", n.inputs}, {"output", n.output},
              {"window", window_to_json(n.window)}, {"activation", activation_name(n.activation)},
              {"quant", quant_to_json(n.quant)}};
    if (needs_v2(n.op)) j["attrs"] = attrs_to_json(n.attrs);
    j["weight"] = add_tensor(n.weight, n.name + ".weight");
    j["bias"] = add_tensor(n.bias, n.name + ".bias");
    nodes.push_back(std::move(j));
  }
  json h;
  h["info"] = {{"architecture", m.info.architecture}, {"source_path", m.info.source_path},
               {"source_sha256", m.info.source_sha256}, {"precision", m.info.precision}, {"producer", m.info.producer}};
  h["preprocess"] = preprocess_to_json(m.preprocess);
  h["decoder"] = decoder_to_json(m.decoder);
  h["graph"] = {{"values", m.graph.value_names}, {"input", m.graph.input}, {"outputs", m.graph.outputs}, {"nodes", nodes}};
  h["tensors"] = tensors;
  h["data_size"] = offset;
  return h;
}

void put_u32(std::string& s, uint32_t v) { for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff); }
void put_u64(std::string& s, uint64_t v) { for (int i = 0; i < 8; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff); }

// ------------------------------------------------------------------ reading

class HeaderReader {
 public:
  explicit HeaderReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& rule, ErrorKind kind = ErrorKind::InvalidFile) const {
    throw Error(kind, file_ + ": header: " + path + ": " + rule);
  }

  const json& at(const json& obj, const char* key, const std::string& path) const {
    if (!obj.is_object()) fail(path, "must be an object");
    auto it = obj.find(key);
    if (it == obj.end()) fail(path + "." + key, "is missing");
    return *it;
  }
  int64_t integer(const json& v, const std::string& path, int64_t lo, int64_t hi) const {
    if (!v.is_number_integer()) fail(path, "must be an integer");
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      fail(path, "is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    int64_t x = v.get<int64_t>();
    if (x < lo || x > hi) fail(path, "is " + std::to_string(x) + ", out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return x;
  }
  int64_t integer(const json& obj, const char* key, const std::string& path, int64_t lo, int64_t hi) const {
    return integer(at(obj, key, path), path + "." + key, lo, hi);
  }
  double number(const json& v, const std::string& path) const {
    if (!v.is_number()) fail(path, "must be a finite number");
    double x = v.get<double>();
    if (!std::isfinite(x)) fail(path, "must be a finite number");
    return x;
  }
  double number(const json& obj, const char* key, const std::string& path) const { return number(at(obj, key, path), path + "." + key); }
  float number_f(const json& obj, const char* key, const std::string& path) const {
    double x = number(obj, key, path);
    if (std::fabs(x) > std::numeric_limits<float>::max()) fail(path + "." + key, "does not fit in a float");
    return static_cast<float>(x);
  }
  bool boolean(const json& obj, const char* key, const std::string& path) const {
    const json& v = at(obj, key, path);
    if (!v.is_boolean()) fail(path + "." + key, "must be true or false");
    return v.get<bool>();
  }
  std::string string(const json& v, const std::string& path) const {
    if (!v.is_string()) fail(path, "must be a string");
    return v.get<std::string>();
  }
  std::string string(const json& obj, const char* key, const std::string& path) const { return string(at(obj, key, path), path + "." + key); }
  const json& array(const json& obj, const char* key, const std::string& path, size_t max) const {
    const json& v = at(obj, key, path);
    if (!v.is_array()) fail(path + "." + key, "must be an array");
    if (v.size() > max) fail(path + "." + key, "has " + std::to_string(v.size()) + " entries, more than the limit of " + std::to_string(max));
    return v;
  }
  std::vector<int> int_array(const json& obj, const char* key, const std::string& path, size_t max, int64_t lo, int64_t hi) const {
    const json& a = array(obj, key, path, max);
    std::vector<int> out;
    for (size_t i = 0; i < a.size(); ++i) out.push_back(static_cast<int>(integer(a[i], path + "." + key + "[" + std::to_string(i) + "]", lo, hi)));
    return out;
  }
  void fixed_ints(const json& obj, const char* key, const std::string& path, std::initializer_list<int*> dst, int lo, int hi) const {
    const json& a = array(obj, key, path, dst.size());
    if (a.size() != dst.size()) fail(path + "." + key, "must have " + std::to_string(dst.size()) + " entries");
    size_t i = 0;
    for (int* d : dst) { *d = static_cast<int>(integer(a[i], path + "." + key + "[" + std::to_string(i) + "]", lo, hi)); ++i; }
  }
  DType quant_dtype(const json& obj, const char* key, const std::string& path) const {
    std::string s = string(obj, key, path);
    for (DType d : {DType::f32, DType::u8, DType::i8})
      if (s == dtype_name(d)) return d;
    fail(path + "." + key, "'" + s + "' is not one of f32, u8, s8");
  }
  MmocrVersion version(const json& obj, const std::string& path) const {
    return static_cast<MmocrVersion>(integer(obj, "mmocr_version", path, 0, 1));
  }

 private:
  std::string file_;
};

Window2d window_from_json(const HeaderReader& r, const json& j, const std::string& path) {
  Window2d w;
  const int big = 1 << 20;  // generous here; graph.verify() enforces the real limits
  r.fixed_ints(j, "kernel", path, {&w.kernel_h, &w.kernel_w}, 0, big);
  r.fixed_ints(j, "stride", path, {&w.stride_h, &w.stride_w}, 0, big);
  r.fixed_ints(j, "pads", path, {&w.pad_top, &w.pad_left, &w.pad_bottom, &w.pad_right}, 0, big);
  r.fixed_ints(j, "dilation", path, {&w.dilation_h, &w.dilation_w}, 0, big);
  r.fixed_ints(j, "output_padding", path, {&w.output_padding_h, &w.output_padding_w}, 0, big);
  w.groups = static_cast<int>(r.integer(j, "groups", path, 1, big));
  return w;
}

QuantParams quant_from_json(const HeaderReader& r, const json& j, const std::string& path) {
  QuantParams q;
  q.enabled = r.boolean(j, "enabled", path);
  q.src_scale = r.number_f(j, "src_scale", path);
  q.src_type = r.quant_dtype(j, "src_type", path);
  const json& ws = r.array(j, "weight_scales", path, 1 << 20);
  for (size_t i = 0; i < ws.size(); ++i) {
    double s = r.number(ws[i], path + ".weight_scales[" + std::to_string(i) + "]");
    if (q.enabled && !(s > 0 && s <= std::numeric_limits<float>::max()))
      r.fail(path + ".weight_scales[" + std::to_string(i) + "]", "must be a positive float");
    q.weight_scales.push_back(static_cast<float>(s));
  }
  q.dst_scale = r.number_f(j, "dst_scale", path);
  q.dst_type = r.quant_dtype(j, "dst_type", path);
  q.residual_scale = r.number_f(j, "residual_scale", path);
  if (q.enabled) {
    if (!(q.src_scale > 0)) r.fail(path + ".src_scale", "must be positive for an INT8 node");
    if (q.src_type == DType::f32) r.fail(path + ".src_type", "must be u8 or s8 for an INT8 node");
    if (q.dst_type != DType::f32 && !(q.dst_scale > 0)) r.fail(path + ".dst_scale", "must be positive when dst_type is not f32");
  }
  return q;
}

template <class E>
E enum_from_json(const HeaderReader& r, const json& j, const char* key, const std::string& path, std::initializer_list<E> all) {
  const std::string s = r.string(j, key, path);
  std::string names;
  for (E e : all) {
    if (s == enum_name(e)) return e;
    names += (names.empty() ? "" : ", ") + std::string(enum_name(e));
  }
  r.fail(path + "." + key, "'" + s + "' is not one of " + names);
}

OpAttrs attrs_from_json(const HeaderReader& r, const json& j, const std::string& path) {
  OpAttrs a;
  a.alpha = r.number_f(j, "alpha", path);
  a.beta = r.number_f(j, "beta", path);
  a.count_include_pad = r.boolean(j, "count_include_pad", path);
  a.resize_mode = enum_from_json(r, j, "resize_mode", path, {ResizeMode::Nearest, ResizeMode::Linear});
  a.coord_mode = enum_from_json(r, j, "coord_mode", path,
                                {CoordMode::HalfPixel, CoordMode::PytorchHalfPixel, CoordMode::AlignCorners, CoordMode::Asymmetric});
  a.nearest_round = enum_from_json(r, j, "nearest_round", path,
                                   {NearestRound::RoundPreferFloor, NearestRound::RoundPreferCeil, NearestRound::Floor, NearestRound::Ceil});
  const json& sc = r.array(j, "scales", path, 2);
  if (sc.size() != 2) r.fail(path + ".scales", "must have 2 entries (H, W)");
  a.scale_h = static_cast<float>(r.number(sc[0], path + ".scales[0]"));
  a.scale_w = static_cast<float>(r.number(sc[1], path + ".scales[1]"));
  const json& sz = r.array(j, "sizes", path, 2);
  if (sz.size() != 2) r.fail(path + ".sizes", "must have 2 entries (H, W)");
  a.out_h = r.integer(sz[0], path + ".sizes[0]", 0, int64_t(1) << 20);
  a.out_w = r.integer(sz[1], path + ".sizes[1]", 0, int64_t(1) << 20);
  return a;  // graph.verify() checks the ranges that depend on the op
}

// Version 1 files hold only MMOCR pre-processing and TextSnake decoding, without "kind".
std::string section_kind(const HeaderReader& r, const json& j, const std::string& path, uint32_t version,
                         const char* v1_kind) {
  return version < 2 ? v1_kind : r.string(j, "kind", path);
}

void mean_std_from_json(const HeaderReader& r, const json& pp, PreprocessParams& p) {
  for (const char* key : {"mean", "std"}) {
    const json& a = r.array(pp, key, "preprocess", 3);
    if (a.size() != 3) r.fail(std::string("preprocess.") + key, "must have 3 entries (one per channel)");
    for (int c = 0; c < 3; ++c) {
      const std::string at = std::string("preprocess.") + key + "[" + std::to_string(c) + "]";
      double v = r.number(a[c], at);
      if (std::fabs(v) > std::numeric_limits<float>::max()) r.fail(at, "does not fit in a float");
      if (std::string(key) == "std" && !(v > 0)) r.fail("preprocess.std", "must be positive");
      (std::string(key) == "mean" ? p.mean : p.std)[c] = static_cast<float>(v);
    }
  }
  p.to_rgb = r.boolean(pp, "to_rgb", "preprocess");
}

PreprocessParams preprocess_from_json(const HeaderReader& r, const json& pp, uint32_t version) {
  PreprocessParams p;
  const std::string kind = section_kind(r, pp, "preprocess", version, "mmocr");
  mean_std_from_json(r, pp, p);
  if (kind == "mmocr") {
    p.kind = PreprocessKind::Mmocr;
    p.scale_long = static_cast<int>(r.integer(pp, "scale_long", "preprocess", 1, 1 << 16));
    p.scale_short = static_cast<int>(r.integer(pp, "scale_short", "preprocess", 1, 1 << 16));
    p.pad_divisor = static_cast<int>(r.integer(pp, "pad_divisor", "preprocess", 1, 1 << 12));
    p.version = r.version(pp, "preprocess");
  } else if (kind == "paddle_det_resize") {
    p.kind = PreprocessKind::PaddleDetResize;
    p.limit_side_len = static_cast<int>(r.integer(pp, "limit_side_len", "preprocess", 1, 1 << 14));
    p.max_side_limit = static_cast<int>(r.integer(pp, "max_side_limit", "preprocess", 1, 1 << 14));
    const std::string lt = r.string(pp, "limit_type", "preprocess");
    if (!parse_paddle_limit_type(lt, &p.limit_type)) r.fail("preprocess.limit_type", "'" + lt + "' is not max, min or resize_long");
    p.scale = r.number_f(pp, "scale", "preprocess");
    if (p.scale == 0.0f) r.fail("preprocess.scale", "must not be zero");
  } else {
    r.fail("preprocess.kind", "'" + kind + "' is not mmocr or paddle_det_resize", ErrorKind::UnsupportedModel);
  }
  return p;
}

DecoderParams decoder_from_json(const HeaderReader& r, const json& dj, uint32_t version) {
  DecoderParams d;
  const std::string kind = section_kind(r, dj, "decoder", version, "textsnake");
  if (kind == "textsnake") {
    d.kind = DecoderKind::TextSnake;
    d.min_center_region_confidence = r.number_f(dj, "min_center_region_confidence", "decoder");
    d.min_center_area = r.number(dj, "min_center_area", "decoder");
    d.disk_overlap_thr = r.number(dj, "disk_overlap_thr", "decoder");
    d.radius_shrink_ratio = r.number(dj, "radius_shrink_ratio", "decoder");
    d.min_text_region_confidence = r.number_f(dj, "min_text_region_confidence", "decoder");
    d.max_centralize_steps = r.integer(dj, "max_centralize_steps", "decoder", 1, std::numeric_limits<int64_t>::max());
    d.version = r.version(dj, "decoder");
  } else if (kind == "db") {
    d.kind = DecoderKind::Db;
    DbParams& b = d.db;
    const std::string flavour = r.string(dj, "flavour", "decoder");
    if (!parse_db_flavour(flavour, &b.flavour)) r.fail("decoder.flavour", "'" + flavour + "' is not mmocr0, mmocr1 or paddle");
    const std::string box = r.string(dj, "box_type", "decoder");
    if (!parse_db_box_type(box, &b.box_type)) r.fail("decoder.box_type", "'" + box + "' is not quad or poly");
    b.mask_thr = r.number_f(dj, "mask_thr", "decoder");
    b.min_text_score = r.number(dj, "min_text_score", "decoder");
    b.min_text_width = r.number(dj, "min_text_width", "decoder");
    b.unclip_ratio = r.number(dj, "unclip_ratio", "decoder");
    if (b.unclip_ratio < 0) r.fail("decoder.unclip_ratio", "must be >= 0");
    b.epsilon_ratio = r.number(dj, "epsilon_ratio", "decoder");
    if (b.epsilon_ratio < 0) r.fail("decoder.epsilon_ratio", "must be >= 0");
    b.max_candidates = static_cast<int>(r.integer(dj, "max_candidates", "decoder", 0, std::numeric_limits<int>::max()));
    b.use_dilation = r.boolean(dj, "use_dilation", "decoder");
    const std::string mode = r.string(dj, "score_mode", "decoder");
    if (mode != "fast" && mode != "slow") r.fail("decoder.score_mode", "'" + mode + "' is not fast or slow");
    b.score_slow = mode == "slow";
  } else {
    r.fail("decoder.kind", "'" + kind + "' is not textsnake or db", ErrorKind::UnsupportedModel);
  }
  return d;
}

struct TensorEntry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t offset, length, checksum;
  bool used = false;
};

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

// NaN/Inf would be written as JSON null and make the file unloadable.
void check_finite(const json& j, const std::string& where, const std::string& path) {
  if (j.is_number_float() && !std::isfinite(j.get<double>()))
    throw Error(ErrorKind::InvalidArgument, "cannot save " + where + ": " + path + " is not a finite number");
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) check_finite(it.value(), where, path + "." + it.key());
  if (j.is_array())
    for (size_t i = 0; i < j.size(); ++i) check_finite(j[i], where, path + "[" + std::to_string(i) + "]");
}

}  // namespace

void save_model(const Model& model, const std::string& path) {
  // Never write a file that load_model would refuse.
  with_error_context("cannot save " + path, [&] { model.graph.verify(); });
  std::vector<TensorRecord> records;
  const json header = build_header(model, &records);
  check_finite(header, path, "header");
  const std::string text = header.dump();
  std::string pre(kModelMagic, sizeof kModelMagic);
  put_u32(pre, file_version_for(model));
  put_u64(pre, text.size());
  const uint64_t data_start = model_align(kModelPreambleSize + text.size());
  write_file_atomic(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ErrorKind::Io, "cannot create " + path + ": " + std::strerror(errno));
    uint64_t pos = 0;
    auto write = [&](const void* p, uint64_t n) {
      out.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
      pos += n;
    };
    const char zeros[kModelAlignment] = {};
    auto pad_to = [&](uint64_t target) {
      while (pos < target) write(zeros, std::min<uint64_t>(target - pos, kModelAlignment));
    };
    write(pre.data(), pre.size());
    write(text.data(), text.size());
    pad_to(data_start);
    for (const TensorRecord& r : records) {
      pad_to(data_start + r.offset);
      write(r.tensor->raw(), r.tensor->nbytes());
    }
    pad_to(data_start + header["data_size"].get<uint64_t>());
    out.close();
    if (!out) throw Error(ErrorKind::Io, "cannot write " + path + ": " + std::strerror(errno));
  });
}

Model load_model(const std::string& path) {
  std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) throw Error(ErrorKind::Io, "cannot open " + path + ": " + std::strerror(errno));
  if (std::fseek(f.get(), 0, SEEK_END) != 0) throw Error(ErrorKind::Io, "cannot seek in " + path);
  const long end = std::ftell(f.get());
  if (end < 0) throw Error(ErrorKind::Io, "cannot tell the size of " + path);
  const uint64_t file_size = static_cast<uint64_t>(end);
  auto read_at = [&](uint64_t offset, void* dst, uint64_t n, const std::string& section) {
    if (offset > file_size || n > file_size - offset)
      throw Error(ErrorKind::InvalidFile, path + ": " + section + ": needs bytes [" + std::to_string(offset) + ", " +
                                              std::to_string(offset + n) + ") but the file has " + std::to_string(file_size));
    if (std::fseek(f.get(), static_cast<long>(offset), SEEK_SET) != 0 || std::fread(dst, 1, n, f.get()) != n)
      throw Error(ErrorKind::Io, "cannot read " + path + ": " + section);
  };

  // Preamble.
  uint8_t pre[kModelPreambleSize] = {};
  const uint64_t have = std::min<uint64_t>(file_size, kModelPreambleSize);
  read_at(0, pre, have, "preamble");
  if (std::memcmp(pre, kModelMagic, std::min<uint64_t>(have, sizeof kModelMagic)) != 0 || have < sizeof kModelMagic)
    throw Error(ErrorKind::InvalidFile, path + ": not a textq model file (it does not start with TEXTQMDL)");
  if (have < kModelPreambleSize)
    throw Error(ErrorKind::InvalidFile, path + ": preamble: file ends after " + std::to_string(have) + " bytes (truncated)");
  uint32_t version = 0;
  uint64_t header_len = 0;
  for (int i = 3; i >= 0; --i) version = (version << 8) | pre[8 + i];
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | pre[12 + i];
  if (version > kModelFormatVersion)
    throw Error(ErrorKind::UnsupportedModel, path + ": this file is version " + std::to_string(version) +
                                                 " but this textq reads up to " + std::to_string(kModelFormatVersion));
  if (version == 0) throw Error(ErrorKind::InvalidFile, path + ": preamble: format version 0 does not exist");
  if (header_len == 0 || header_len > kModelMaxHeaderBytes)
    throw Error(ErrorKind::InvalidFile, path + ": preamble: header length " + std::to_string(header_len) + " is outside 1.." +
                                            std::to_string(kModelMaxHeaderBytes));
  std::string text(static_cast<size_t>(std::min<uint64_t>(header_len, file_size)), '\0');
  read_at(kModelPreambleSize, text.data(), header_len, "header");

  if (text.find('\0') != std::string::npos)
    throw Error(ErrorKind::InvalidFile, path + ": header: contains a NUL byte at offset " +
                                            std::to_string(kModelPreambleSize + text.find('\0')) + " (header length wrong?)");
  {  // The padding up to the data section is zeros, so every byte of the file is accounted for.
    const uint64_t pad_at = kModelPreambleSize + header_len, pad_len = model_align(pad_at) - pad_at;
    uint8_t pad[kModelAlignment] = {};
    read_at(pad_at, pad, pad_len, "header padding");
    for (uint64_t i = 0; i < pad_len; ++i)
      if (pad[i] != 0) throw Error(ErrorKind::InvalidFile, path + ": header padding: byte " + std::to_string(pad_at + i) + " is not zero");
  }

  // Header JSON; depth is bounded so a hostile header cannot exhaust the stack.
  json h;
  try {
    h = json::parse(text, [](int depth, json::parse_event_t, json&) {
      if (depth > 16) throw std::runtime_error("JSON nested deeper than 16 levels");
      return true;
    });
  } catch (const std::exception& e) {
    throw Error(ErrorKind::InvalidFile, path + ": header: not valid JSON (" + std::string(e.what()) + ")");
  }
  HeaderReader r(path);
  if (!h.is_object()) r.fail("(root)", "must be an object");

  Model m;
  const json& info = r.at(h, "info", "");
  m.info.architecture = r.string(info, "architecture", "info");
  m.info.source_path = r.string(info, "source_path", "info");
  m.info.source_sha256 = r.string(info, "source_sha256", "info");
  m.info.precision = r.string(info, "precision", "info");
  m.info.producer = r.string(info, "producer", "info");
  if (m.info.precision != "fp32" && m.info.precision != "int8") r.fail("info.precision", "must be fp32 or int8");

  m.preprocess = preprocess_from_json(r, r.at(h, "preprocess", ""), version);
  m.decoder = decoder_from_json(r, r.at(h, "decoder", ""), version);

  // Tensor table: every range inside the data section, aligned, disjoint.
  const uint64_t data_start = model_align(kModelPreambleSize + header_len);
  const uint64_t data_size = static_cast<uint64_t>(r.integer(h, "data_size", "", 0, std::numeric_limits<int64_t>::max()));
  if (data_start > file_size || data_size != file_size - data_start)
    throw Error(ErrorKind::InvalidFile, path + ": data: the header says the data section is " + std::to_string(data_size) +
                                            " bytes from offset " + std::to_string(data_start) + ", but the file is " +
                                            std::to_string(file_size) + " bytes (truncated or padded)");
  const json& tj = r.array(h, "tensors", "", kModelMaxTensors);
  std::vector<TensorEntry> tensors;
  for (size_t i = 0; i < tj.size(); ++i) {
    const std::string tp = "tensors[" + std::to_string(i) + "]";
    TensorEntry t;
    t.name = r.string(tj[i], "name", tp);
    const std::string dn = r.string(tj[i], "dtype", tp);
    bool known = false;
    for (const auto& e : kFileDtypes)
      if (dn == e.name) { t.dtype = e.dtype; known = true; }
    if (!known) r.fail(tp + ".dtype", "'" + dn + "' is not f32 or s8");
    const json& sj = r.array(tj[i], "shape", tp, kModelMaxRank);
    for (size_t k = 0; k < sj.size(); ++k)
      t.shape.push_back(r.integer(sj[k], tp + ".shape[" + std::to_string(k) + "]", 0, std::numeric_limits<int64_t>::max()));
    t.offset = static_cast<uint64_t>(r.integer(tj[i], "offset", tp, 0, std::numeric_limits<int64_t>::max()));
    t.length = static_cast<uint64_t>(r.integer(tj[i], "length", tp, 0, std::numeric_limits<int64_t>::max()));
    int64_t numel = 0;
    try {
      numel = shape_numel(t.shape);
    } catch (const Error& e) {
      r.fail(tp + ".shape", e.what());
    }
    if (static_cast<uint64_t>(numel) > t.length || static_cast<uint64_t>(numel) * dtype_size(t.dtype) != t.length)
      r.fail(tp + ".length", std::to_string(t.length) + " bytes does not match shape " + shape_str(t.shape) + " of " + dn);
    if (t.offset % kModelAlignment != 0) r.fail(tp + ".offset", std::to_string(t.offset) + " is not 64-byte aligned");
    if (t.offset > data_size || t.length > data_size - t.offset)
      r.fail(tp, "bytes [" + std::to_string(t.offset) + ", +" + std::to_string(t.length) + ") lie outside the data section of " +
                     std::to_string(data_size) + " bytes");
    if (!tensors.empty() && t.offset < tensors.back().offset + tensors.back().length)
      r.fail(tp + ".offset", "overlaps the previous tensor (tensors are stored in increasing offset order)");
    const std::string cs = r.string(tj[i], "fnv1a64", tp);
    if (cs.size() != 16 || cs.find_first_not_of("0123456789abcdef") != std::string::npos)
      r.fail(tp + ".fnv1a64", "must be 16 lowercase hex digits");
    t.checksum = std::stoull(cs, nullptr, 16);
    tensors.push_back(std::move(t));
  }

  auto load_tensor = [&](const json& ref, const std::string& np) -> Tensor {
    if (ref.is_null()) return Tensor();
    const size_t i = static_cast<size_t>(r.integer(ref, np, 0, static_cast<int64_t>(tensors.size()) - 1));
    TensorEntry& e = tensors[i];
    if (e.used) r.fail(np, "tensor #" + std::to_string(i) + " (" + e.name + ") is already used by another node");
    e.used = true;
    Tensor t(e.dtype, e.shape);  // size bounded: length was checked against the file
    read_at(data_start + e.offset, t.raw(), e.length, "data of tensor " + e.name);
    if (fnv1a64(t.raw(), e.length) != e.checksum)
      throw Error(ErrorKind::InvalidFile, path + ": data of tensor " + e.name + ": checksum mismatch (expected fnv1a64 " +
                                              hex64(e.checksum) + ", got " + hex64(fnv1a64(t.raw(), e.length)) + ")");
    return t;
  };

  // Graph.
  const json& g = r.at(h, "graph", "");
  const json& values = r.array(g, "values", "graph", kModelMaxValues);
  for (size_t i = 0; i < values.size(); ++i) m.graph.value_names.push_back(r.string(values[i], "graph.values[" + std::to_string(i) + "]"));
  const int64_t nv = static_cast<int64_t>(values.size());
  m.graph.input = static_cast<int>(r.integer(g, "input", "graph", 0, nv - 1));
  m.graph.outputs = r.int_array(g, "outputs", "graph", kModelMaxValues, 0, nv - 1);
  const json& nodes = r.array(g, "nodes", "graph", kModelMaxNodes);
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::string np = "graph.nodes[" + std::to_string(i) + "]";
    Node n;
    n.name = r.string(nodes[i], "name", np);
    np += " (" + n.name + ")";
    const std::string op = r.string(nodes[i], "op", np);
    try {
      n.op = op_kind_from_name(op);
    } catch (const Error&) {
      r.fail(np + ".op", "'" + op + "' is not a known op", ErrorKind::UnsupportedModel);
    }
    if (needs_v2(n.op) && version < 2)
      r.fail(np + ".op", "'" + op + "' needs format version 2, the file says " + std::to_string(version));
    n.inputs = r.int_array(nodes[i], "inputs", np, 64, 0, nv - 1);
    n.output = static_cast<int>(r.integer(nodes[i], "output", np, 0, nv - 1));
    n.window = window_from_json(r, r.at(nodes[i], "window", np), np + ".window");
    const std::string act = r.string(nodes[i], "activation", np);
    if (act != activation_name(Activation::None) && act != activation_name(Activation::Relu))
      r.fail(np + ".activation", "'" + act + "' is not None or Relu");
    n.activation = activation_from_name(act);
    n.quant = quant_from_json(r, r.at(nodes[i], "quant", np), np + ".quant");
    if (needs_v2(n.op)) n.attrs = attrs_from_json(r, r.at(nodes[i], "attrs", np), np + ".attrs");
    const bool conv_like = n.op == OpKind::Conv || n.op == OpKind::ConvTranspose;
    const json& wref = r.at(nodes[i], "weight", np);
    const json& bref = r.at(nodes[i], "bias", np);
    if (!n.has_tensors() && (!wref.is_null() || !bref.is_null())) r.fail(np, std::string(op) + " nodes carry no weight or bias");
    if (n.has_tensors() && wref.is_null()) r.fail(np + ".weight", "a " + op + " node needs a weight tensor");
    if (n.op == OpKind::Affine && bref.is_null()) r.fail(np + ".bias", "an Affine node needs a bias tensor");
    if (!conv_like && n.quant.enabled) r.fail(np + ".quant", "only Conv and ConvTranspose nodes can be INT8");
    n.weight = load_tensor(wref, np + ".weight");
    n.bias = load_tensor(bref, np + ".bias");
    m.graph.nodes.push_back(std::move(n));
  }
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!tensors[i].used) r.fail("tensors[" + std::to_string(i) + "]", "tensor " + tensors[i].name + " is not used by any node");
  with_error_context(path, [&] { m.graph.verify(); });
  return m;
}

}  // namespace textq
