#include "quant/calib_stats.h"

#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "formats/predictions.h"
#include "textq/error.h"

namespace textq::quant {

namespace {

constexpr const char* kFormat = "textq-calib-stats";
constexpr int kVersion = 1;

using json = nlohmann::json;

[[noreturn]] void bad(const std::string& path, const std::string& rule) {
  throw Error(ErrorKind::InvalidFile, path + ": " + rule);
}

[[noreturn]] void refuse(const std::string& path, const std::string& rule) {
  throw Error(ErrorKind::InvalidArgument, "--calib-stats-in: " + path + ": " + rule);
}

const json& member(const json& j, const char* key, const std::string& path, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) bad(path, where + "\"" + key + "\" is missing");
  return *it;
}

std::vector<std::string> string_list(const json& j, const char* key, const std::string& path) {
  const json& v = member(j, key, path, "");
  if (!v.is_array()) bad(path, std::string("\"") + key + "\" must be an array of strings");
  std::vector<std::string> out;
  for (const json& s : v) {
    if (!s.is_string()) bad(path, std::string("\"") + key + "\" must be an array of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

double number(const json& j, const std::string& path, const std::string& what) {
  if (!j.is_number()) bad(path, what + " must be a number");
  return j.get<double>();
}

}  // namespace

void save_calib_stats(const CalibStatsFile& f, const std::string& path) {
  const CalibStats& s = f.stats;
  json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["stage"] = s.has_histograms() ? "histograms" : "ranges";
  j["model_sha256"] = f.model_sha256;
  j["num_images"] = s.num_images;
  j["images"] = f.images;
  if (s.has_histograms()) {
    j["range_images"] = f.range_images;
    j["num_bins"] = f.num_bins;
  }
  j["values"] = json::array();
  for (size_t v = 0; v < s.ranges.size(); ++v) {
    const ValueRange& r = s.ranges[v];
    // Unseen values keep +-inf, which json cannot hold: null.
    j["values"].push_back({{"name", f.value_names[v]},
                           {"seen", r.seen},
                           {"nonfinite", r.nonfinite},
                           {"min", std::isfinite(r.min) ? json(r.min) : json(nullptr)},
                           {"max", std::isfinite(r.max) ? json(r.max) : json(nullptr)}});
  }
  if (s.has_histograms()) {
    j["histograms"] = json::array();
    for (const AbsHistogram& h : s.histograms)
      j["histograms"].push_back(h.num_bins() ? json{{"range", h.range()}, {"bins", h.bins()}} : json(nullptr));
  }
  write_text_atomic(path, j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
}

CalibStatsFile load_calib_stats(const std::string& path) {
  const json j = parse_json_bounded(read_file_text(path), path);
  if (!j.is_object()) bad(path, "top level must be an object");
  auto fmt = j.find("format");
  if (fmt == j.end() || !fmt->is_string() || fmt->get<std::string>() != kFormat)
    bad(path, std::string("\"format\" must be \"") + kFormat + "\" (written by quantize --calib-stats-out)");
  const json& ver = member(j, "version", path, "");
  if (!ver.is_number_integer() || ver.get<int64_t>() != kVersion)
    throw Error(ErrorKind::UnsupportedModel, path + ": calibration statistics version " + ver.dump() +
                                                 "; this textq reads version " + std::to_string(kVersion));
  CalibStatsFile f;
  const json& stage = member(j, "stage", path, "");
  if (!stage.is_string() || (stage != "ranges" && stage != "histograms")) bad(path, "\"stage\" must be ranges or histograms");
  const bool hist = stage == "histograms";
  const json& sha = member(j, "model_sha256", path, "");
  if (!sha.is_string()) bad(path, "\"model_sha256\" must be a string");
  f.model_sha256 = sha.get<std::string>();
  const json& n = member(j, "num_images", path, "");
  if (!n.is_number_integer() || n.get<int64_t>() < 1) bad(path, "\"num_images\" must be an integer >= 1");
  f.stats.num_images = n.get<int64_t>();
  f.images = string_list(j, "images", path);
  if (static_cast<int64_t>(f.images.size()) != f.stats.num_images)
    bad(path, "\"images\" lists " + std::to_string(f.images.size()) + " images but \"num_images\" is " +
                  std::to_string(f.stats.num_images));
  const json& values = member(j, "values", path, "");
  if (!values.is_array()) bad(path, "\"values\" must be an array");
  for (size_t v = 0; v < values.size(); ++v) {
    const std::string where = "values[" + std::to_string(v) + "]";
    const json& e = values[v];
    if (!e.is_object()) bad(path, where + " must be an object");
    const json& name = member(e, "name", path, where + ": ");
    const json& seen = member(e, "seen", path, where + ": ");
    const json& nonfinite = member(e, "nonfinite", path, where + ": ");
    if (!name.is_string() || !seen.is_boolean() || !nonfinite.is_boolean())
      bad(path, where + ": \"name\" must be a string, \"seen\" and \"nonfinite\" booleans");
    ValueRange r;
    r.seen = seen.get<bool>();
    r.nonfinite = nonfinite.get<bool>();
    const json& lo = member(e, "min", path, where + ": ");
    const json& hi = member(e, "max", path, where + ": ");
    if (!lo.is_null()) r.min = number(lo, path, where + ": \"min\"");
    if (!hi.is_null()) r.max = number(hi, path, where + ": \"max\"");
    f.value_names.push_back(name.get<std::string>());
    f.stats.ranges.push_back(r);
  }
  if (!hist) return f;
  f.range_images = string_list(j, "range_images", path);
  const json& nb = member(j, "num_bins", path, "");
  if (!nb.is_number_integer() || nb.get<int64_t>() < 1 || nb.get<int64_t>() > (1 << 20))
    bad(path, "\"num_bins\" must be an integer in [1, 1048576]");
  f.num_bins = static_cast<int>(nb.get<int64_t>());
  const json& hs = member(j, "histograms", path, "");
  if (!hs.is_array() || hs.empty()) bad(path, "\"histograms\" must be a non-empty array (one per scale group)");
  for (size_t g = 0; g < hs.size(); ++g) {
    const std::string where = "histograms[" + std::to_string(g) + "]";
    if (hs[g].is_null()) {
      f.stats.histograms.emplace_back();
      continue;
    }
    if (!hs[g].is_object()) bad(path, where + " must be an object or null");
    const double range = number(member(hs[g], "range", path, where + ": "), path, where + ": \"range\"");
    if (!(std::isfinite(range) && range > 0)) bad(path, where + ": \"range\" must be positive and finite");
    const json& bins = member(hs[g], "bins", path, where + ": ");
    if (!bins.is_array() || bins.size() != static_cast<size_t>(f.num_bins))
      bad(path, where + ": \"bins\" must hold num_bins = " + std::to_string(f.num_bins) + " counts");
    AbsHistogram h(range, f.num_bins);
    for (size_t b = 0; b < bins.size(); ++b) {
      const double c = number(bins[b], path, where + ": bin " + std::to_string(b));
      if (!(c >= 0 && c <= 9007199254740992.0 && c == std::floor(c)))
        bad(path, where + ": bin " + std::to_string(b) + " must be a whole count in [0, 2^53]");
      h.bins()[b] = c;
    }
    f.stats.histograms.push_back(std::move(h));
  }
  return f;
}

CalibStatsFile merge_calib_stats(const std::vector<CalibStatsFile>& files, const std::vector<std::string>& paths,
                                 const std::string& model_sha256, const Graph& graph) {
  if (files.empty()) throw Error(ErrorKind::InvalidArgument, "--calib-stats-in needs at least one file");
  const bool hist = files[0].stats.has_histograms();
  CalibStatsFile m;
  m.model_sha256 = model_sha256;
  m.value_names = graph.value_names;
  m.num_bins = files[0].num_bins;
  m.range_images = files[0].range_images;
  m.stats.ranges.resize(graph.value_names.size());
  std::map<std::string, size_t> image_file;  // image -> index of the file that observed it
  for (size_t k = 0; k < files.size(); ++k) {
    const CalibStatsFile& f = files[k];
    if (f.model_sha256 != model_sha256)
      refuse(paths[k], "taken on a model with sha256 " + f.model_sha256.substr(0, 12) + ", not this model (" +
                           model_sha256.substr(0, 12) + ")");
    if (f.value_names != graph.value_names) refuse(paths[k], "its graph values differ from this model's");
    if (f.stats.has_histograms() != hist)
      refuse(paths[k], std::string("stage ") + (hist ? "ranges" : "histograms") + " mixed with " +
                           (hist ? "histograms" : "ranges") + " files (" + paths[0] + "); merge one stage at a time");
    for (const std::string& im : f.images) {
      auto [it, fresh] = image_file.emplace(im, k);
      if (!fresh) refuse(paths[k], "image " + im + " was also observed in " + paths[it->second] + "; each image counts once");
    }
    m.images.insert(m.images.end(), f.images.begin(), f.images.end());
    m.stats.num_images += f.stats.num_images;
    if (!hist) {
      for (size_t v = 0; v < f.stats.ranges.size(); ++v) m.stats.ranges[v].merge(f.stats.ranges[v]);
      continue;
    }
    // Round 2 files carry the merged ranges of round 1: identical, bin for bin.
    if (f.num_bins != m.num_bins || f.range_images != m.range_images || f.stats.histograms.size() != files[0].stats.histograms.size())
      refuse(paths[k], "its histogram bins were fixed by another round of ranges than " + paths[0] + "'s");
    for (size_t v = 0; v < f.stats.ranges.size(); ++v) {
      const ValueRange &a = f.stats.ranges[v], &b = files[0].stats.ranges[v];
      if (a.seen != b.seen || a.nonfinite != b.nonfinite || !(a.min == b.min || (std::isinf(a.min) && std::isinf(b.min))) ||
          !(a.max == b.max || (std::isinf(a.max) && std::isinf(b.max))))
        refuse(paths[k], "its ranges differ from " + paths[0] + "'s (value " + graph.value_names[v] +
                             "); every round-2 file must use the same merged ranges");
    }
    if (k == 0) {
      m.stats.ranges = f.stats.ranges;
      m.stats.histograms = f.stats.histograms;
      continue;
    }
    for (size_t g = 0; g < f.stats.histograms.size(); ++g) {
      const AbsHistogram& h = f.stats.histograms[g];
      AbsHistogram& into = m.stats.histograms[g];
      if (h.num_bins() != into.num_bins() || h.range() != into.range())
        refuse(paths[k], "histogram of group " + std::to_string(g) + " has other bins than " + paths[0] + "'s");
      for (int b = 0; b < h.num_bins(); ++b) into.bins()[static_cast<size_t>(b)] += h.bins()[static_cast<size_t>(b)];
    }
  }
  if (hist) {
    std::set<std::string> round1(m.range_images.begin(), m.range_images.end());
    for (const std::string& im : m.images)
      if (!round1.count(im)) refuse(paths[image_file[im]], "image " + im + " was not in the ranges round (range_images)");
    for (const std::string& im : round1)
      if (!image_file.count(im))
        refuse(paths[0], "image " + im + " of the ranges round has no histogram in any file; give every machine's round-2 file");
  }
  return m;
}

}  // namespace textq::quant
