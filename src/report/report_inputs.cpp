#include "report/report_inputs.h"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "textq/error.h"

namespace textq::report {

namespace {

using json = nlohmann::json;
constexpr uint64_t kMaxJsonBytes = 64ull << 20;  // report inputs are small; refuse absurd files
constexpr size_t kMaxThresholds = 1000;
constexpr size_t kMaxLayers = 100000;

json parse_json_file(const std::string& path) {
  const std::string text = read_file_text(path, kMaxJsonBytes);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw Error(ErrorKind::InvalidFile, path + ": not valid JSON: " + e.what());
  }
}

// Typed access to an object's members; errors name the file and key path.
class Obj {
 public:
  Obj(const json& j, std::string file, std::string where) : j_(j), file_(std::move(file)), where_(std::move(where)) {
    if (!j_.is_object()) fail(where_.empty() ? "top level" : where_, "expected an object");
  }
  bool has(const char* key) const { return j_.contains(key) && !j_.at(key).is_null(); }
  const json& at(const char* key) const {
    if (!j_.contains(key)) fail(name(key), "missing");
    return j_.at(key);
  }
  double num(const char* key) const {
    const json& v = at(key);
    if (!v.is_number()) fail(name(key), "expected a number");
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(name(key), "expected a finite number");
    return d;
  }
  int64_t integer(const char* key, int64_t lo, int64_t hi) const {
    const json& v = at(key);
    if (!v.is_number_integer()) fail(name(key), "expected an integer");
    const int64_t i = v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX) ? INT64_MAX : v.get<int64_t>();
    if (i < lo || i > hi) fail(name(key), "must be in " + std::to_string(lo) + ".." + std::to_string(hi));
    return i;
  }
  std::string str(const char* key) const {
    const json& v = at(key);
    if (!v.is_string()) fail(name(key), "expected a string");
    return v.get<std::string>();
  }
  std::string str_or(const char* key, const std::string& dflt) const { return has(key) ? str(key) : dflt; }
  bool boolean(const char* key) const {
    const json& v = at(key);
    if (!v.is_boolean()) fail(name(key), "expected true or false");
    return v.get<bool>();
  }
  const json& array(const char* key, size_t max) const {
    const json& v = at(key);
    if (!v.is_array()) fail(name(key), "expected an array");
    if (v.size() > max) fail(name(key), "has " + std::to_string(v.size()) + " entries, more than " + std::to_string(max));
    return v;
  }
  Obj child(const char* key) const { return Obj(at(key), file_, name(key)); }
  Obj element(const json& arr, const char* key, size_t i) const {
    return Obj(arr.at(i), file_, name(key) + "[" + std::to_string(i) + "]");
  }
  std::string name(const char* key) const { return where_.empty() ? key : where_ + "." + key; }
  [[noreturn]] void fail(const std::string& key, const std::string& rule) const {
    throw Error(ErrorKind::InvalidFile, file_ + ": key " + key + ": " + rule);
  }

 private:
  const json& j_;
  std::string file_, where_;
};

ThresholdRow threshold_row(const Obj& o) {
  ThresholdRow r;
  r.threshold = o.num("threshold");
  r.recall = o.num("recall");
  r.precision = o.num("precision");
  r.hmean = o.num("hmean");
  for (double v : {r.recall, r.precision, r.hmean})
    if (v < 0 || v > 1) o.fail(o.name("recall/precision/hmean"), "must be in 0..1");
  r.matched = o.integer("matched", 0, INT64_MAX);
  r.gt = o.integer("gt", 0, INT64_MAX);
  r.det = o.integer("det", 0, INT64_MAX);
  return r;
}

// An SQNR in dB: +inf (bit-exact) has no JSON spelling, so it is null.
nlohmann::ordered_json db_json(double d) { return std::isfinite(d) ? nlohmann::ordered_json(d) : nlohmann::ordered_json(nullptr); }

nlohmann::ordered_json db_array(const std::vector<double>& v) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (double d : v) a.push_back(db_json(d));
  return a;
}

constexpr size_t kMaxChannels = 4096;

std::vector<double> read_db_array(const Obj& o, const char* key) {
  const json& a = o.array(key, kMaxChannels);
  std::vector<double> v;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_null()) {
      v.push_back(std::numeric_limits<double>::infinity());
    } else if (a[i].is_number()) {
      v.push_back(a[i].get<double>());
    } else {
      o.fail(o.name(key) + "[" + std::to_string(i) + "]", "expected a number (dB) or null (exact)");
    }
  }
  return v;
}

}  // namespace

EvalSummary load_eval_summary(const std::string& path) {
  const json j = parse_json_file(path);
  const Obj o(j, path, "");
  EvalSummary s;
  s.path = path;
  s.metric = o.str("metric");
  if (s.metric != "mmocr0" && s.metric != "mmocr1") o.fail("metric", "must be mmocr0 or mmocr1, got " + s.metric);
  s.predictions = o.str_or("predictions", "");
  s.images = o.integer("images", 0, INT64_MAX);
  const json& arr = o.array("thresholds", kMaxThresholds);
  if (arr.empty()) o.fail("thresholds", "is empty");
  for (size_t i = 0; i < arr.size(); ++i) {
    s.thresholds.push_back(threshold_row(o.element(arr, "thresholds", i)));
    if (i && !(s.thresholds[i].threshold > s.thresholds[i - 1].threshold))
      o.fail("thresholds[" + std::to_string(i) + "].threshold", "thresholds must ascend");
  }
  s.best = threshold_row(o.child("best"));
  bool found = false;
  for (size_t i = 0; i < s.thresholds.size() && !found; ++i)
    if (s.thresholds[i].threshold == s.best.threshold) {
      s.best_index = i;
      found = true;
    }
  if (!found) o.fail("best.threshold", "is not one of the thresholds");
  return s;
}

BenchSummary load_bench_summary(const std::string& path) {
  const json j = parse_json_file(path);
  const Obj o(j, path, "");
  BenchSummary b;
  b.path = path;
  b.model = o.str_or("model", "");
  b.precision = o.str_or("precision", "");
  b.backend = o.str_or("backend", "");
  b.isa = o.str_or("isa", "");
  b.threads = static_cast<int>(o.integer("threads", 0, 1 << 20));
  b.runs = static_cast<int>(o.integer("runs", 1, INT32_MAX));
  b.median_ms = o.num("median_ms");
  b.min_ms = o.num("min_ms");
  b.max_ms = o.num("max_ms");
  if (!(b.median_ms > 0) || b.min_ms > b.median_ms || b.median_ms > b.max_ms)
    o.fail("median_ms", "need 0 < min_ms <= median_ms <= max_ms");
  b.gops = o.has("gops") ? o.num("gops") : 0;
  b.peak_rss_mb = o.has("peak_rss_mb") ? o.num("peak_rss_mb") : 0;
  if (o.has("input_shape")) {
    const json& shape = o.array("input_shape", 8);
    for (size_t i = 0; i < shape.size(); ++i) {
      if (!shape[i].is_number_integer() || shape[i].get<int64_t>() <= 0)
        o.fail("input_shape[" + std::to_string(i) + "]", "expected a positive integer");
      b.input_shape.push_back(shape[i].get<int64_t>());
    }
  }
  return b;
}

void save_quant_summary(const QuantSummary& q, const std::string& path) {
  nlohmann::ordered_json j;
  j["format"] = "textq-quant-report";
  j["version"] = 1;
  j["model_fp32"] = q.model_fp32;
  j["model_int8"] = q.model_int8;
  j["method"] = q.method;
  if (q.method == "percentile") j["percentile"] = q.percentile;
  j["calibration"] = {{"source", q.calib_source}, {"images", q.calib_images}, {"available", q.calib_available}, {"seed", q.seed}};
  j["diag_images"] = q.diag_images;
  j["int8_nodes"] = q.int8_nodes;
  j["conv_nodes"] = q.conv_nodes;
  j["stem"] = q.stem_decision;
  j["sizes"] = {{"fp32_bytes", q.fp32_bytes}, {"int8_bytes", q.int8_bytes}};
  auto& layers = j["layers"] = nlohmann::ordered_json::array();
  for (const QuantLayer& l : q.layers) {
    nlohmann::ordered_json r;
    r["name"] = l.name;
    r["op"] = l.op;
    r["precision"] = l.int8 ? "int8" : "fp32";
    if (!l.int8) r["fp32_reason"] = l.fp32_reason;
    r["src"] = l.src;
    r["dst"] = l.dst;
    r["out_min"] = l.out_min;
    r["out_max"] = l.out_max;
    r["threshold"] = l.threshold;
    r["sqnr_db"] = db_json(l.sqnr_db);  // null = bit-exact, documented in docs/report.md
    r["cosine"] = l.cosine;
    r["samples"] = l.samples;
    if (!l.channel_sqnr_db.empty()) r["channel_sqnr_db"] = db_array(l.channel_sqnr_db);
    layers.push_back(r);
  }
  if (q.val_sqnr_db)
    j["validation"] = {{"images", q.val_images},
                       {"sqnr_db", db_json(*q.val_sqnr_db)},
                       {"cosine", q.val_cosine.value_or(1.0)}};
  if (q.val_sqnr_db && !q.val_channel_sqnr_db.empty()) j["validation"]["channel_sqnr_db"] = db_array(q.val_channel_sqnr_db);
  write_text_atomic(path, j.dump(2) + "\n");
}

QuantSummary load_quant_summary(const std::string& path) {
  const json j = parse_json_file(path);
  const Obj o(j, path, "");
  if (o.str_or("format", "") != "textq-quant-report")
    o.fail("format", "expected \"textq-quant-report\" (write it with `textq quantize --report-json`)");
  if (o.integer("version", 0, INT64_MAX) != 1) o.fail("version", "this textq reads version 1");
  QuantSummary q;
  q.path = path;
  q.model_fp32 = o.str_or("model_fp32", "");
  q.model_int8 = o.str_or("model_int8", "");
  q.method = o.str("method");
  if (q.method == "percentile") q.percentile = o.num("percentile");
  const Obj c = o.child("calibration");
  q.calib_source = c.str("source");
  q.calib_images = c.integer("images", 0, INT64_MAX);
  q.calib_available = c.integer("available", 0, INT64_MAX);
  q.seed = static_cast<uint64_t>(c.integer("seed", 0, INT64_MAX));
  q.diag_images = o.integer("diag_images", 0, INT64_MAX);
  q.int8_nodes = o.integer("int8_nodes", 0, INT64_MAX);
  q.conv_nodes = o.integer("conv_nodes", 0, INT64_MAX);
  q.stem_decision = o.str_or("stem", "");
  const Obj sz = o.child("sizes");
  q.fp32_bytes = sz.integer("fp32_bytes", 0, INT64_MAX);
  q.int8_bytes = sz.integer("int8_bytes", 0, INT64_MAX);
  const json& arr = o.array("layers", kMaxLayers);
  for (size_t i = 0; i < arr.size(); ++i) {
    const Obj e = o.element(arr, "layers", i);
    QuantLayer l;
    l.name = e.str("name");
    l.op = e.str("op");
    const std::string prec = e.str("precision");
    if (prec != "int8" && prec != "fp32") e.fail(e.name("precision"), "must be int8 or fp32");
    l.int8 = prec == "int8";
    l.fp32_reason = e.str_or("fp32_reason", "");
    l.src = e.str("src");
    l.dst = e.str("dst");
    l.out_min = e.num("out_min");
    l.out_max = e.num("out_max");
    l.threshold = e.num("threshold");
    l.sqnr_db = e.has("sqnr_db") ? e.num("sqnr_db") : std::numeric_limits<double>::infinity();
    l.cosine = e.num("cosine");
    if (l.cosine < -1.0000001 || l.cosine > 1.0000001) e.fail(e.name("cosine"), "must be in -1..1");
    l.samples = e.integer("samples", 0, INT64_MAX);
    if (e.has("channel_sqnr_db")) l.channel_sqnr_db = read_db_array(e, "channel_sqnr_db");
    q.layers.push_back(std::move(l));
  }
  if (o.has("validation")) {
    const Obj v = o.child("validation");
    q.val_images = v.integer("images", 0, INT64_MAX);
    q.val_sqnr_db = v.has("sqnr_db") ? v.num("sqnr_db") : std::numeric_limits<double>::infinity();
    q.val_cosine = v.num("cosine");
    if (v.has("channel_sqnr_db")) q.val_channel_sqnr_db = read_db_array(v, "channel_sqnr_db");
  }
  return q;
}

}  // namespace textq::report
