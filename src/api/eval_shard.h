// Sharded evaluation: `eval --shard I/N` scores one contiguous block of the
// annotated images and writes an eval part (the exact per-threshold counts
// MMOCR's hmean is made of, plus the block's predictions); `eval --merge`
// adds the counts of a complete set of parts and gives the table a single run
// gives, to the last digit. Part format: docs/formats.md ("Eval part").
#pragma once

#include <string>
#include <vector>

#include "datasets/annotation.h"
#include "eval/hmean.h"
#include "formats/predictions.h"

namespace textq {

struct ShardSpec {
  int index = 0;  // 0-based, < count
  int count = 1;
};

// "I/N" with 0 <= I < N <= 1000000; anything else is Error(InvalidArgument).
ShardSpec parse_shard(const std::string& text);
// Shard I of N of n images: the block [floor(I*n/N), floor((I+1)*n/N)).
std::vector<size_t> shard_image_ids(size_t n, const ShardSpec& shard);

// What decides the numbers of a part: two parts merge only if these agree.
struct EvalPartIdentity {
  std::string metric;          // "mmocr0" / "mmocr1"
  std::string source_kind;     // "model" (detections made by eval) or "preds" (a predictions file)
  std::string source_path;     // as given (informational)
  std::string source_sha256;   // of the model or predictions file
  std::string settings;        // runtime options that change detections ("" for preds)
  std::string ann_path;        // as given (informational)
  std::string ann_sha256;
  size_t ann_images = 0;       // images in the annotation file
  int shard_count = 1;
};

struct EvalPart {
  EvalPartIdentity identity;
  int shard_index = 0;
  std::vector<size_t> image_ids;  // annotation indexes scored, ascending
  size_t images_without_predictions = 0;
  std::vector<eval::ThresholdResult> counts;  // threshold, hits, gt_count, pred_count (rates unused)
  PredictionsFile predictions;    // the block's predictions (empty when scored from a predictions file)
};

// The part of `shard`: the block's images of `ann` scored with `preds`, which
// may be the whole predictions file (checked whole, so a prediction of an image
// that is not annotated fails every shard alike) or only the block's. identity
// gives the metric, source and annotation hash; its ann_images and shard_count
// are set here. The part keeps the block's predictions.
EvalPart make_eval_part(EvalPartIdentity identity, const ShardSpec& shard, const datasets::Dataset& ann,
                        const PredictionsFile& preds);
// The annotation images of a shard, in order (what --model detects).
datasets::Dataset shard_dataset(const datasets::Dataset& ann, const ShardSpec& shard);

void save_eval_part(const EvalPart& part, const std::string& path);  // atomic
// Validates everything; Error(InvalidFile) naming the file and the rule.
EvalPart load_eval_part(const std::string& path);

struct MergedEval {
  EvalPartIdentity identity;
  eval::HmeanResult result;
  size_t images_without_predictions = 0;
  PredictionsFile predictions;  // every part's, in annotation order
};

// Refuses (Error(InvalidArgument), naming the file and the rule) parts that
// differ in identity, repeat a shard or an image, or leave a shard or an image out.
MergedEval merge_eval_parts(const std::vector<EvalPart>& parts, const std::vector<std::string>& paths);
MergedEval merge_eval_part_files(const std::vector<std::string>& paths);

}  // namespace textq
