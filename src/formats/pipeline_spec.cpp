#include "formats/pipeline_spec.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/file_util.h"
#include "textdet/db_decoder.h"
#include "textq/error.h"

namespace textq {

using json = nlohmann::json;

namespace {

[[noreturn]] void bad_flag(const std::string& flag, const std::string& value, const std::string& rule) {
  throw Error(ErrorKind::InvalidArgument, flag + " '" + value + "': " + rule);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

// A whole decimal/exponent number, finite; false otherwise.
bool parse_number(const std::string& s, double* out) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

bool parse_int(const std::string& s, int lo, int hi, int* out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 9) return false;
  const long v = std::strtol(s.c_str(), nullptr, 10);
  if (v < lo || v > hi) return false;
  *out = static_cast<int>(v);
  return true;
}

void parse_triple(const std::string& flag, const std::string& value, bool positive, float out[3]) {
  const std::vector<std::string> parts = split(value, ',');
  if (parts.size() != 3) bad_flag(flag, value, "expected three comma-separated numbers, one per input channel");
  for (int c = 0; c < 3; ++c) {
    double v = 0;
    if (!parse_number(parts[c], &v) || std::fabs(v) > std::numeric_limits<float>::max())
      bad_flag(flag, value, "'" + parts[c] + "' is not a finite number");
    if (positive && !(v > 0)) bad_flag(flag, value, "every value must be > 0");
    out[c] = static_cast<float>(v);
  }
}

// --resize mmocr:LONGxSHORT[/PAD] | paddle:max|min|resize_long:SIDE
void apply_resize(const std::string& value, PreprocessParams* p) {
  const std::string flag = "--resize";
  const std::vector<std::string> parts = split(value, ':');
  const std::string rule = "expected mmocr:LONGxSHORT[/PAD] or paddle:max|min|resize_long:SIDE";
  if (parts[0] == "mmocr" && parts.size() == 2) {
    const std::vector<std::string> pad = split(parts[1], '/');
    const std::vector<std::string> box = split(pad[0], 'x');
    int l = 0, s = 0, d = p->pad_divisor;
    if (pad.size() > 2 || box.size() != 2 || !parse_int(box[0], 1, 16384, &l) || !parse_int(box[1], 1, 16384, &s) ||
        (pad.size() == 2 && !parse_int(pad[1], 1, 4096, &d)))
      bad_flag(flag, value, rule + " (sides 1..16384, PAD 1..4096)");
    if (p->kind != PreprocessKind::Mmocr) {
      const PreprocessParams fresh;  // MMOCR's mean/std unless --mean/--std say otherwise
      std::copy(fresh.mean, fresh.mean + 3, p->mean);
      std::copy(fresh.std, fresh.std + 3, p->std);
      p->to_rgb = true;
    }
    p->kind = PreprocessKind::Mmocr;
    p->scale_long = std::max(l, s);
    p->scale_short = std::min(l, s);
    p->pad_divisor = d;
    return;
  }
  if (parts[0] == "paddle" && parts.size() == 3) {
    int side = 0;
    PaddleLimitType t;
    if (!parse_paddle_limit_type(parts[1], &t)) bad_flag(flag, value, rule);
    if (!parse_int(parts[2], 1, 16384, &side)) bad_flag(flag, value, "SIDE must be a whole number 1..16384");
    if (p->kind != PreprocessKind::PaddleDetResize) *p = paddle_det_preprocess_defaults();
    p->limit_type = t;
    p->limit_side_len = side;
    return;
  }
  bad_flag(flag, value, rule);
}

// --decoder textsnake | db[:FLAVOUR]
void apply_decoder(const std::string& value, DecoderParams* d) {
  if (value == "textsnake") {
    d->kind = DecoderKind::TextSnake;
    return;
  }
  const std::vector<std::string> parts = split(value, ':');
  DbFlavour f = DbFlavour::Paddle;
  if (parts[0] != "db" || parts.size() > 2 || (parts.size() == 2 && !parse_db_flavour(parts[1], &f)))
    bad_flag("--decoder", value, "expected textsnake, db, db:paddle, db:mmocr0 or db:mmocr1");
  if (d->kind != DecoderKind::Db || d->db.flavour != f) d->db = db_defaults(f);
  d->kind = DecoderKind::Db;
}

bool parse_bool(const std::string& s, bool* out) {
  if (s == "true" || s == "1") return *out = true, true;
  if (s == "false" || s == "0") return *out = false, true;
  return false;
}

// ------------------------------------------------------------ MMDeploy json

class JsonPath {
 public:
  explicit JsonPath(std::string file) : file_(std::move(file)) {}
  [[noreturn]] void fail(const std::string& at, const std::string& rule, ErrorKind k = ErrorKind::InvalidFile) const {
    throw Error(k, file_ + ": " + at + ": " + rule);
  }
  const json& at(const json& o, const char* key, const std::string& path) const {
    if (!o.is_object()) fail(path, "must be an object");
    auto it = o.find(key);
    if (it == o.end()) fail(path + "." + key, "is missing");
    return *it;
  }
  double number(const json& v, const std::string& path) const {
    if (!v.is_number() || !std::isfinite(v.get<double>())) fail(path, "must be a finite number");
    return v.get<double>();
  }
  std::string string(const json& v, const std::string& path) const {
    if (!v.is_string()) fail(path, "must be a string");
    return v.get<std::string>();
  }
  void triple(const json& o, const char* key, const std::string& path, bool positive, float out[3]) const {
    const json& a = at(o, key, path);
    const std::string p = path + "." + key;
    if (!a.is_array() || a.size() != 3) fail(p, "must be an array of 3 numbers");
    for (int c = 0; c < 3; ++c) {
      const double v = number(a[c], p + "[" + std::to_string(c) + "]");
      if (std::fabs(v) > std::numeric_limits<float>::max()) fail(p, "does not fit in a float");
      if (positive && !(v > 0)) fail(p, "must be > 0");
      out[c] = static_cast<float>(v);
    }
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

json parse_json_file(const std::string& path) {
  try {
    return json::parse(read_file_text(path, 16u << 20), [](int depth, json::parse_event_t, json&) {
      if (depth > 32) throw std::runtime_error("JSON nested deeper than 32 levels");
      return true;
    });
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorKind::InvalidFile, path + ": not valid JSON (" + std::string(e.what()) + ")");
  }
}

void read_transforms(const JsonPath& r, const json& task, const std::string& path, PreprocessParams* p) {
  const json& ts = r.at(task, "transforms", path);
  if (!ts.is_array()) r.fail(path + ".transforms", "must be an array");
  bool have_resize = false, have_normalize = false;
  for (size_t i = 0; i < ts.size(); ++i) {
    const std::string tp = path + ".transforms[" + std::to_string(i) + "]";
    const std::string type = r.string(r.at(ts[i], "type", tp), tp + ".type");
    if (type == "LoadImageFromFile") {
      if (ts[i].contains("color_type")) {
        const std::string ct = r.string(ts[i]["color_type"], tp + ".color_type");
        if (ct != "color" && ct != "color_ignore_orientation")
          r.fail(tp + ".color_type", "'" + ct + "' is not supported (textq reads colour images: color, color_ignore_orientation)",
                 ErrorKind::UnsupportedModel);
      }
    } else if (type == "Resize") {
      if (!ts[i].contains("keep_ratio") || ts[i]["keep_ratio"] != true)
        r.fail(tp + ".keep_ratio", "only keep_ratio: true (MMOCR's test resize) is supported", ErrorKind::UnsupportedModel);
      const json& size = r.at(ts[i], "size", tp);
      if (!size.is_array() || size.size() != 2) r.fail(tp + ".size", "must be [w, h] or [h, w] (two whole numbers)");
      int side[2];
      for (int k = 0; k < 2; ++k) {
        if (!size[k].is_number_integer() || size[k].get<int64_t>() < 1 || size[k].get<int64_t>() > 16384)
          r.fail(tp + ".size[" + std::to_string(k) + "]", "must be a whole number 1..16384");
        side[k] = size[k].get<int>();
      }
      p->scale_long = std::max(side[0], side[1]);  // the keep-ratio box is symmetric in w/h
      p->scale_short = std::min(side[0], side[1]);
      have_resize = true;
    } else if (type == "Normalize") {
      r.triple(ts[i], "mean", tp, false, p->mean);
      r.triple(ts[i], "std", tp, true, p->std);
      const json& rgb = r.at(ts[i], "to_rgb", tp);
      if (!rgb.is_boolean()) r.fail(tp + ".to_rgb", "must be true or false");
      p->to_rgb = rgb.get<bool>();
      have_normalize = true;
    } else if (type == "Pad") {
      if (ts[i].contains("size") && !ts[i]["size"].is_null())
        r.fail(tp + ".size", "padding to a fixed size is not supported (only size_divisor)", ErrorKind::UnsupportedModel);
      const json& d = r.at(ts[i], "size_divisor", tp);
      if (!d.is_number_integer() || d.get<int64_t>() < 1 || d.get<int64_t>() > 4096)
        r.fail(tp + ".size_divisor", "must be a whole number 1..4096");
      p->pad_divisor = d.get<int>();
    } else if (type == "DefaultFormatBundle" || type == "ImageToTensor" || type == "Collect") {
      // formatting only: no pixel changes
    } else {
      r.fail(tp + ".type", "'" + type + "' is not supported (LoadImageFromFile, Resize, Normalize, Pad, "
                           "DefaultFormatBundle, ImageToTensor, Collect)", ErrorKind::UnsupportedModel);
    }
  }
  if (!have_resize) r.fail(path + ".transforms", "has no Resize (textq needs MMOCR's keep-ratio resize)", ErrorKind::UnsupportedModel);
  if (!have_normalize) r.fail(path + ".transforms", "has no Normalize", ErrorKind::UnsupportedModel);
}

void read_postprocess(const JsonPath& r, const json& task, const std::string& path, int mmocr_version, DecoderParams* d) {
  const std::string comp = r.string(r.at(task, "component", path), path + ".component");
  const MmocrVersion v = mmocr_version == 1 ? MmocrVersion::v1 : MmocrVersion::v0;
  json params = json::object();
  if (task.contains("params")) params = task["params"];
  if (!params.is_object()) r.fail(path + ".params", "must be an object");
  if (comp == "TextSnakeHead") {
    d->kind = DecoderKind::TextSnake;
    d->version = v;
    if (!params.empty())
      r.fail(path + ".params." + params.begin().key(), "TextSnake parameters in the json are not supported (use MMOCR's defaults)",
             ErrorKind::UnsupportedModel);
    return;
  }
  if (comp != "DBHead") r.fail(path + ".component", "'" + comp + "' is not DBHead or TextSnakeHead", ErrorKind::UnsupportedModel);
  d->kind = DecoderKind::Db;
  d->db = db_defaults(v == MmocrVersion::v1 ? DbFlavour::Mmocr1 : DbFlavour::Mmocr0);
  for (auto it = params.begin(); it != params.end(); ++it) {
    const std::string at = path + ".params." + it.key();
    if (it.key() == "rescale") {
      if (it.value() != true) r.fail(at, "only rescale: true (polygons in original-image pixels) is supported", ErrorKind::UnsupportedModel);
    } else if (it.key() == "downsample_ratio") {
      if (r.number(it.value(), at) != 1.0) r.fail(at, "only 1.0 is supported (the map has the input's size)", ErrorKind::UnsupportedModel);
    } else {
      const json& v2 = it.value();
      const std::string text = v2.is_string() ? v2.get<std::string>() : v2.dump();
      try {
        apply_db_option(it.key(), text, at, &d->db);
      } catch (const Error& e) {  // a bad value in a file is a bad file, not a usage error
        throw Error(ErrorKind::InvalidFile, r.file() + ": " + e.what());
      }
    }
  }
}

}  // namespace

void apply_db_option(const std::string& key, const std::string& value, const std::string& where, DbParams* p) {
  auto number = [&]() {
    double v = 0;
    if (!parse_number(value, &v)) bad_flag(where, value, "must be a finite number");
    return v;
  };
  if (key == "mask_thr" || key == "thresh") {
    p->mask_thr = static_cast<float>(number());
  } else if (key == "min_text_score" || key == "box_thresh") {
    p->min_text_score = number();
  } else if (key == "min_text_width") {
    p->min_text_width = number();
  } else if (key == "unclip_ratio") {
    p->unclip_ratio = number();
    if (p->unclip_ratio < 0) bad_flag(where, value, "must be >= 0");
  } else if (key == "epsilon_ratio") {
    p->epsilon_ratio = number();
    if (p->epsilon_ratio < 0) bad_flag(where, value, "must be >= 0");
  } else if (key == "max_candidates" || key == "max_candidate") {
    if (!parse_int(value, 0, std::numeric_limits<int>::max() / 2, &p->max_candidates))
      bad_flag(where, value, "must be a whole number >= 0");
  } else if (key == "text_repr_type" || key == "box_type") {
    if (!parse_db_box_type(value, &p->box_type)) bad_flag(where, value, "must be quad or poly");
  } else if (key == "score_mode") {
    if (value != "fast" && value != "slow") bad_flag(where, value, "must be fast or slow");
    p->score_slow = value == "slow";
  } else if (key == "use_dilation") {
    if (!parse_bool(value, &p->use_dilation)) bad_flag(where, value, "must be true or false");
  } else {
    throw Error(ErrorKind::InvalidArgument,
                where + ": unknown DB option '" + key +
                    "' (mask_thr|thresh, min_text_score|box_thresh, min_text_width, unclip_ratio, epsilon_ratio, "
                    "max_candidates, text_repr_type|box_type, score_mode, use_dilation)");
  }
}

void apply_db_spec(const std::string& spec, DbParams* p) {
  for (const std::string& kv : split(spec, ',')) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) bad_flag("--db", spec, "expected KEY=VALUE[,KEY=VALUE...]");
    apply_db_option(kv.substr(0, eq), kv.substr(eq + 1), "--db " + kv.substr(0, eq), p);
  }
  check_db_params(*p);
}

PipelineParams read_mmdeploy_pipeline(const std::string& path, PipelineParams base, int mmocr_version) {
  namespace fs = std::filesystem;
  json doc = parse_json_file(path);
  std::string file = path;
  if (doc.is_object() && !doc.contains("pipeline") && doc.contains("models")) {  // deploy.json: its sibling
    file = (fs::path(path).parent_path() / "pipeline.json").string();
    if (!fs::exists(file))
      throw Error(ErrorKind::Io, path + ": is MMDeploy's deploy.json, which holds no pre/post-processing, and " + file +
                                     " (written next to it by MMDeploy) does not exist");
    doc = parse_json_file(file);
  }
  const fs::path detail = fs::path(file).parent_path() / "detail.json";
  if (fs::exists(detail)) {  // codebase.version says which MMOCR wrote the model
    const json dj = parse_json_file(detail.string());
    if (dj.is_object() && dj.contains("codebase") && dj["codebase"].is_object() && dj["codebase"].contains("version") &&
        dj["codebase"]["version"].is_string()) {
      const std::string v = dj["codebase"]["version"];
      if (!v.empty() && (v[0] == '0' || v[0] == '1')) mmocr_version = v[0] - '0';
    }
  }
  const JsonPath r(file);
  const json& pipe = r.at(doc, "pipeline", "(root)");
  const json& tasks = r.at(pipe, "tasks", "pipeline");
  if (!tasks.is_array()) r.fail("pipeline.tasks", "must be an array");
  bool pre = false, post = false;
  PipelineParams out = base;
  out.preprocess = PreprocessParams();  // MMOCR kind: what the json describes
  out.preprocess.version = mmocr_version == 1 ? MmocrVersion::v1 : MmocrVersion::v0;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const std::string tp = "pipeline.tasks[" + std::to_string(i) + "]";
    const json& t = tasks[i];
    if (!t.is_object()) r.fail(tp, "must be an object");
    const std::string module = t.contains("module") && t["module"].is_string() ? t["module"].get<std::string>() : "";
    if (module == "Transform") {
      read_transforms(r, t, tp, &out.preprocess);
      pre = true;
    } else if (module == "mmocr") {
      read_postprocess(r, t, tp, mmocr_version, &out.decoder);
      post = true;
    } else if (module != "Net") {
      r.fail(tp + ".module", "'" + module + "' is not Transform, Net or mmocr", ErrorKind::UnsupportedModel);
    }
  }
  if (!pre) r.fail("pipeline.tasks", "has no Transform task (the pre-processing)");
  if (!post) r.fail("pipeline.tasks", "has no mmocr task (the post-processing)");
  return out;
}

void check_pipeline_params(const PipelineParams& p, const std::string& where) {
  with_error_context(where, [&] {
    if (p.decoder.kind == DecoderKind::Db) check_db_params(p.decoder.db);
  });
}

PipelineParams apply_pipeline_flags(const PipelineFlags& f, PipelineParams p) {
  const int mmocr = p.preprocess.version == MmocrVersion::v1 ? 1 : 0;
  if (!f.pipeline.empty()) p = read_mmdeploy_pipeline(f.pipeline, p, mmocr);
  if (!f.resize.empty()) apply_resize(f.resize, &p.preprocess);
  if (!f.mean.empty()) parse_triple("--mean", f.mean, false, p.preprocess.mean);
  if (!f.std.empty()) parse_triple("--std", f.std, true, p.preprocess.std);
  if (!f.decoder.empty()) apply_decoder(f.decoder, &p.decoder);
  if (!f.db.empty()) {
    if (p.decoder.kind != DecoderKind::Db) bad_flag("--db", f.db, "needs a DB decoder (--decoder db[:FLAVOUR] or a DBHead pipeline)");
    apply_db_spec(f.db, &p.decoder.db);
  }
  check_pipeline_params(p, "pipeline parameters");
  return p;
}

}  // namespace textq
