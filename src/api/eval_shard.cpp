#include "api/eval_shard.h"

#include <algorithm>
#include <cstdint>
#include <set>

#include <nlohmann/json.hpp>

#include "api/scoring.h"
#include "core/file_util.h"
#include "textq/error.h"

namespace textq {

namespace {

constexpr const char* kPartFormat = "textq-eval-part";
constexpr int kPartVersion = 1;
constexpr int kMaxShards = 1000000;

using json = nlohmann::ordered_json;

[[noreturn]] void bad(const std::string& path, const std::string& rule) {
  throw Error(ErrorKind::InvalidFile, path + ": " + rule);
}

const nlohmann::json& member(const nlohmann::json& j, const char* key, const std::string& path, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) bad(path, where + "\"" + key + "\" is missing");
  return *it;
}

std::string string_member(const nlohmann::json& j, const char* key, const std::string& path, const std::string& where) {
  const nlohmann::json& v = member(j, key, path, where);
  if (!v.is_string()) bad(path, where + "\"" + key + "\" must be a string");
  return v.get<std::string>();
}

int64_t int_member(const nlohmann::json& j, const char* key, int64_t lo, int64_t hi, const std::string& path,
                   const std::string& where) {
  const nlohmann::json& v = member(j, key, path, where);
  if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
    bad(path, where + "\"" + key + "\" must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v.get<int64_t>();
}

[[noreturn]] void refuse(const std::string& path, const std::string& rule) {
  throw Error(ErrorKind::InvalidArgument, "--merge: " + path + ": " + rule);
}

// The first identity field in which `b` differs from `a`, or "".
std::string identity_difference(const EvalPartIdentity& a, const EvalPartIdentity& b) {
  if (a.metric != b.metric) return "metric " + b.metric + " differs from " + a.metric;
  auto kind = [](const std::string& k) { return k == "model" ? "a model" : "a predictions file"; };
  if (a.source_kind != b.source_kind)
    return std::string("scored from ") + kind(b.source_kind) + ", the others from " + kind(a.source_kind);
  if (a.source_sha256 != b.source_sha256)
    return b.source_kind + " " + b.source_path + " (sha256 " + b.source_sha256.substr(0, 12) + ") differs from " +
           a.source_path + " (sha256 " + a.source_sha256.substr(0, 12) + ")";
  if (a.settings != b.settings) return "runtime settings '" + b.settings + "' differ from '" + a.settings + "'";
  if (a.ann_sha256 != b.ann_sha256 || a.ann_images != b.ann_images)
    return "annotation file " + b.ann_path + " (sha256 " + b.ann_sha256.substr(0, 12) + ") differs from " + a.ann_path +
           " (sha256 " + a.ann_sha256.substr(0, 12) + ")";
  if (a.shard_count != b.shard_count)
    return "part of " + std::to_string(b.shard_count) + " shards, the others of " + std::to_string(a.shard_count);
  return "";
}

}  // namespace

ShardSpec parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  auto whole = [](const std::string& s) {
    return !s.empty() && s.size() <= 7 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (slash == std::string::npos || !whole(text.substr(0, slash)) || !whole(text.substr(slash + 1)))
    throw Error(ErrorKind::InvalidArgument, "--shard " + text + ": expected I/N, e.g. 0/4 (shard I of N, 0-based)");
  ShardSpec s;
  s.index = std::stoi(text.substr(0, slash));
  s.count = std::stoi(text.substr(slash + 1));
  if (s.count < 1 || s.count > kMaxShards || s.index >= s.count)
    throw Error(ErrorKind::InvalidArgument, "--shard " + text + ": need 0 <= I < N <= " + std::to_string(kMaxShards));
  return s;
}

std::vector<size_t> shard_image_ids(size_t n, const ShardSpec& shard) {
  const size_t begin = n * static_cast<size_t>(shard.index) / static_cast<size_t>(shard.count);
  const size_t end = n * static_cast<size_t>(shard.index + 1) / static_cast<size_t>(shard.count);
  std::vector<size_t> ids;
  for (size_t i = begin; i < end; ++i) ids.push_back(i);
  return ids;
}

datasets::Dataset shard_dataset(const datasets::Dataset& ann, const ShardSpec& shard) {
  datasets::Dataset block;
  for (size_t i : shard_image_ids(ann.images.size(), shard)) block.images.push_back(ann.images[i]);
  return block;
}

EvalPart make_eval_part(EvalPartIdentity identity, const ShardSpec& shard, const datasets::Dataset& ann,
                        const PredictionsFile& preds) {
  EvalPart part;
  part.identity = std::move(identity);
  part.identity.ann_images = ann.images.size();
  part.identity.shard_count = shard.count;
  part.shard_index = shard.index;
  part.image_ids = shard_image_ids(ann.images.size(), shard);
  const eval::HmeanResult r = score_predictions(preds, part.identity.source_path, ann, part.identity.ann_path,
                                                metric_rules_from_name(part.identity.metric),
                                                &part.images_without_predictions, &part.image_ids);
  part.counts = r.per_threshold;
  std::set<std::string> names;
  for (size_t i : part.image_ids) names.insert(datasets::path_basename(ann.images[i].img_path));
  part.predictions.model = preds.model;
  for (const ImagePrediction& p : preds.predictions)
    if (names.count(datasets::path_basename(p.img_path))) part.predictions.predictions.push_back(p);
  return part;
}

void save_eval_part(const EvalPart& p, const std::string& path) {
  const EvalPartIdentity& id = p.identity;
  json j;
  j["format"] = kPartFormat;
  j["version"] = kPartVersion;
  j["metric"] = id.metric;
  j["source"] = {{"kind", id.source_kind}, {"path", id.source_path}, {"sha256", id.source_sha256}, {"settings", id.settings}};
  j["annotations"] = {{"path", id.ann_path}, {"sha256", id.ann_sha256}, {"images", id.ann_images}};
  j["shard"] = {{"index", p.shard_index}, {"count", id.shard_count}};
  j["image_ids"] = p.image_ids;
  j["images_without_predictions"] = p.images_without_predictions;
  j["counts"] = json::array();
  for (const eval::ThresholdResult& t : p.counts)
    j["counts"].push_back({{"threshold", t.threshold}, {"matched", t.hits}, {"gt", t.gt_count}, {"det", t.pred_count}});
  // Invalid UTF-8 in a path is replaced rather than aborting the write.
  const std::string head = j.dump(-1, ' ', false, json::error_handler_t::replace);
  const std::string preds =
      predictions_to_json(p.predictions, path).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  write_text_atomic(path, head.substr(0, head.size() - 1) + ",\"predictions\":" + preds + "}\n");
}

EvalPart load_eval_part(const std::string& path) {
  const nlohmann::json j = parse_json_bounded(read_file_text(path), path);
  if (!j.is_object()) bad(path, "top level must be an object");
  auto fmt = j.find("format");
  if (fmt == j.end() || !fmt->is_string() || fmt->get<std::string>() != kPartFormat)
    bad(path, std::string("\"format\" must be \"") + kPartFormat + "\" (an eval part written by eval --shard)");
  const int64_t version = int_member(j, "version", 0, 1 << 30, path, "");
  if (version != kPartVersion)
    throw Error(ErrorKind::UnsupportedModel, path + ": eval part version " + std::to_string(version) +
                                                 "; this textq reads version " + std::to_string(kPartVersion));
  EvalPart p;
  EvalPartIdentity& id = p.identity;
  id.metric = string_member(j, "metric", path, "");
  if (id.metric != "mmocr0" && id.metric != "mmocr1") bad(path, "\"metric\" must be mmocr0 or mmocr1, got " + id.metric);
  const nlohmann::json& src = member(j, "source", path, "");
  if (!src.is_object()) bad(path, "\"source\" must be an object");
  id.source_kind = string_member(src, "kind", path, "source: ");
  if (id.source_kind != "model" && id.source_kind != "preds") bad(path, "source: \"kind\" must be model or preds");
  id.source_path = string_member(src, "path", path, "source: ");
  id.source_sha256 = string_member(src, "sha256", path, "source: ");
  id.settings = string_member(src, "settings", path, "source: ");
  const nlohmann::json& ann = member(j, "annotations", path, "");
  if (!ann.is_object()) bad(path, "\"annotations\" must be an object");
  id.ann_path = string_member(ann, "path", path, "annotations: ");
  id.ann_sha256 = string_member(ann, "sha256", path, "annotations: ");
  id.ann_images = static_cast<size_t>(int_member(ann, "images", 0, int64_t{1} << 40, path, "annotations: "));
  const nlohmann::json& shard = member(j, "shard", path, "");
  if (!shard.is_object()) bad(path, "\"shard\" must be an object");
  id.shard_count = static_cast<int>(int_member(shard, "count", 1, kMaxShards, path, "shard: "));
  p.shard_index = static_cast<int>(int_member(shard, "index", 0, id.shard_count - 1, path, "shard: "));
  const nlohmann::json& ids = member(j, "image_ids", path, "");
  if (!ids.is_array()) bad(path, "\"image_ids\" must be an array");
  for (size_t k = 0; k < ids.size(); ++k) {
    const nlohmann::json& v = ids[k];
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || static_cast<size_t>(v.get<int64_t>()) >= id.ann_images)
      bad(path, "image_ids[" + std::to_string(k) + "] must be an image index in [0, " + std::to_string(id.ann_images) + ")");
    const size_t i = static_cast<size_t>(v.get<int64_t>());
    if (!p.image_ids.empty() && i <= p.image_ids.back())
      bad(path, "image_ids[" + std::to_string(k) + "] = " + std::to_string(i) + " is not above the previous id (ascending, distinct)");
    p.image_ids.push_back(i);
  }
  p.images_without_predictions =
      static_cast<size_t>(int_member(j, "images_without_predictions", 0, static_cast<int64_t>(p.image_ids.size()), path, ""));
  const nlohmann::json& counts = member(j, "counts", path, "");
  const auto& thrs = eval::score_thresholds();
  if (!counts.is_array() || counts.size() != thrs.size())
    bad(path, "\"counts\" must be an array of " + std::to_string(thrs.size()) + " thresholds");
  for (size_t t = 0; t < thrs.size(); ++t) {
    const std::string where = "counts[" + std::to_string(t) + "]: ";
    const nlohmann::json& c = counts[t];
    if (!c.is_object()) bad(path, where + "must be an object");
    const nlohmann::json& thr = member(c, "threshold", path, where);
    if (!thr.is_number() || thr.get<double>() != thrs[t])
      bad(path, where + "\"threshold\" must be " + std::to_string(thrs[t]) + " (the sweep's thresholds in order)");
    eval::ThresholdResult r;
    r.threshold = thrs[t];
    constexpr int64_t kMaxCount = int64_t{1} << 50;
    r.gt_count = int_member(c, "gt", 0, kMaxCount, path, where);
    r.pred_count = int_member(c, "det", 0, kMaxCount, path, where);
    r.hits = int_member(c, "matched", 0, std::min(r.gt_count, r.pred_count), path, where);
    p.counts.push_back(r);
  }
  p.predictions = predictions_from_json(member(j, "predictions", path, ""), path + ": predictions");
  return p;
}

MergedEval merge_eval_parts(const std::vector<EvalPart>& parts, const std::vector<std::string>& paths) {
  if (parts.empty()) throw Error(ErrorKind::InvalidArgument, "--merge needs at least one part file");
  MergedEval m;
  m.identity = parts[0].identity;
  const size_t n_shards = static_cast<size_t>(m.identity.shard_count);
  std::vector<int> shard_owner(n_shards, -1);
  std::vector<int> image_owner(m.identity.ann_images, -1);
  m.result.rules = m.identity.metric == "mmocr1" ? eval::MetricRules::Mmocr1 : eval::MetricRules::Mmocr0;
  m.result.per_threshold = parts[0].counts;
  for (auto& t : m.result.per_threshold) t.hits = t.gt_count = t.pred_count = 0;
  m.predictions.model = parts[0].predictions.model;
  for (size_t k = 0; k < parts.size(); ++k) {
    const EvalPart& p = parts[k];
    const std::string diff = identity_difference(m.identity, p.identity);
    if (!diff.empty()) refuse(paths[k], diff + " (in " + paths[0] + "); parts must come from one model, annotation file, metric and N");
    int& owner = shard_owner[static_cast<size_t>(p.shard_index)];
    if (owner >= 0)
      refuse(paths[k], "shard " + std::to_string(p.shard_index) + "/" + std::to_string(n_shards) + " is also " +
                           paths[static_cast<size_t>(owner)] + "; each shard must be given once");
    owner = static_cast<int>(k);
    for (size_t i : p.image_ids) {
      int& io = image_owner[i];
      if (io >= 0)
        refuse(paths[k], "image " + std::to_string(i) + " is also scored in " + paths[static_cast<size_t>(io)] +
                             "; shards must not overlap");
      io = static_cast<int>(k);
    }
    for (size_t t = 0; t < p.counts.size(); ++t) {
      m.result.per_threshold[t].hits += p.counts[t].hits;
      m.result.per_threshold[t].gt_count += p.counts[t].gt_count;
      m.result.per_threshold[t].pred_count += p.counts[t].pred_count;
    }
    m.images_without_predictions += p.images_without_predictions;
  }
  for (size_t s = 0; s < n_shards; ++s)
    if (shard_owner[s] < 0)
      refuse(paths[0], "shard " + std::to_string(s) + "/" + std::to_string(n_shards) + " is missing; give all " +
                           std::to_string(n_shards) + " parts");
  for (size_t i = 0; i < image_owner.size(); ++i)
    if (image_owner[i] < 0)
      refuse(paths[0], "image " + std::to_string(i) + " of " + m.identity.ann_path + " is in no part; the parts must cover every image");
  // Predictions in annotation order: parts sorted by their first image.
  std::vector<size_t> order(parts.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  auto first = [&](size_t k) { return parts[k].image_ids.empty() ? SIZE_MAX : parts[k].image_ids.front(); };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return first(a) < first(b); });
  for (size_t k : order)
    for (const ImagePrediction& ip : parts[k].predictions.predictions) m.predictions.predictions.push_back(ip);
  eval::finalize_hmean(&m.result);
  return m;
}

MergedEval merge_eval_part_files(const std::vector<std::string>& paths) {
  std::vector<EvalPart> parts;
  for (const std::string& p : paths) parts.push_back(load_eval_part(p));
  return merge_eval_parts(parts, paths);
}

}  // namespace textq
