#!/bin/sh
# `textq eval --shard I/N` + `eval --merge`: on the demo data the merged table
# (and the merged predictions) equal a single run's byte for byte, for --model
# and for --preds, mmocr0 and mmocr1; mismatched, missing, repeated and
# overlapping parts are refused with one line naming the file and the rule.
# Usage: sh tests/cli/eval_shard.sh path/to/textq
set -u
TEXTQ=${1:?usage: eval_shard.sh TEXTQ_BINARY}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. tests/cli/lib/checks.sh

# The first 12 demo test images in the raw CTW1500 layout (detection of all 60
# takes a while on a busy 2-core machine).
RAW=$TMP/raw
mkdir -p "$RAW/test_images" "$RAW/ctw1500_test_labels"
for f in $(ls demo/ctw1500/test_images | sort | head -n 12); do
  cp "demo/ctw1500/test_images/$f" "$RAW/test_images/"
  cp "demo/ctw1500/ctw1500_test_labels/000${f%.jpg}.txt" "$RAW/ctw1500_test_labels/"
done
run dataset ctw1500 "$RAW" -o "$TMP/ann"
run convert demo/textsnake_demo.pth -o "$TMP/m.textq"
ANN0=$TMP/ann/instances_test.json
ANN1=$TMP/ann/textdet_test.json

# 1. --model: 3 shards of the 12 images, merged = single run (its table on
# stdout; the detection timing goes to stderr).
run eval --model "$TMP/m.textq" --ann "$ANN0" --img-root "$RAW" --threads 2 -o "$TMP/single_preds.json"
cp "$TMP/out" "$TMP/single.txt"
grep -q "^detection: 12 images" "$TMP/err" || fail "eval --model printed no timing on stderr: $(cat "$TMP/err")"
grep -q "^detection: " "$TMP/single.txt" && fail "eval --model printed timing on stdout"
grep -q "^best (mmocr0)" "$TMP/single.txt" || fail "single run printed no table"
for i in 0 1 2; do
  run eval --model "$TMP/m.textq" --ann "$ANN0" --img-root "$RAW" --threads 2 --shard $i/3 -o "$TMP/part_$i.json"
done
run eval --merge "$TMP/part_2.json" "$TMP/part_0.json" "$TMP/part_1.json" -o "$TMP/merged_preds.json"
cmp -s "$TMP/out" "$TMP/single.txt" || fail "merged table differs: $(diff "$TMP/out" "$TMP/single.txt")"
cmp -s "$TMP/merged_preds.json" "$TMP/single_preds.json" || fail "merged predictions differ from the single run's"

# 2. --preds, both metrics, 2 and 5 shards (5 does not divide 12).
for spec in "mmocr0 $ANN0" "mmocr1 $ANN1"; do
  set -- $spec
  run eval --preds "$TMP/single_preds.json" --ann "$2" --metric "$1"
  cp "$TMP/out" "$TMP/single_$1.txt"
  for n in 2 5; do
    i=0; parts=""
    while [ $i -lt $n ]; do
      run eval --preds "$TMP/single_preds.json" --ann "$2" --metric "$1" --shard $i/$n -o "$TMP/p_$1_${i}_$n.json"
      parts="$parts $TMP/p_$1_${i}_$n.json"; i=$((i + 1))
    done
    run eval --merge $parts
    cmp -s "$TMP/out" "$TMP/single_$1.txt" || fail "$1, $n shards: merged table differs: $(diff "$TMP/out" "$TMP/single_$1.txt")"
  done
done

# 3. refusals
refused "shard 1/3 is missing" eval --merge "$TMP/part_0.json" "$TMP/part_2.json"
refused "part_0.json: shard 0/3 is also .*part_0.json; each shard must be given once" \
  eval --merge "$TMP/part_0.json" "$TMP/part_0.json" "$TMP/part_1.json" "$TMP/part_2.json"
refused "p_mmocr1_1_2.json: metric mmocr1 differs from mmocr0" eval --merge "$TMP/p_mmocr0_0_2.json" "$TMP/p_mmocr1_1_2.json"
refused "part_1.json: scored from a model, the others from a predictions file" eval --merge "$TMP/p_mmocr0_0_2.json" "$TMP/part_1.json"
sed 's/"model":"/"model":"other /' "$TMP/single_preds.json" > "$TMP/other_preds.json"
run eval --preds "$TMP/other_preds.json" --ann "$ANN0" --shard 1/2 -o "$TMP/other_1.json"
refused "other_1.json: preds .*other_preds.json (sha256 [0-9a-f]*) differs from .*single_preds.json" \
  eval --merge "$TMP/p_mmocr0_0_2.json" "$TMP/other_1.json"
run eval --preds "$TMP/single_preds.json" --ann "$ANN1" --metric mmocr0 --shard 1/2 -o "$TMP/ann1_1.json"
refused "ann1_1.json: annotation file .*textdet_test.json (sha256 [0-9a-f]*) differs from .*instances_test.json" \
  eval --merge "$TMP/p_mmocr0_0_2.json" "$TMP/ann1_1.json"
refused "p_mmocr0_1_5.json: part of 5 shards, the others of 2" eval --merge "$TMP/p_mmocr0_0_2.json" "$TMP/p_mmocr0_1_5.json"
# an edited part that also claims image 5 (of shard 0/2's block 0..5)
sed 's/"image_ids":\[6,/"image_ids":[5,6,/' "$TMP/p_mmocr0_1_2.json" > "$TMP/overlap_1.json"
refused "overlap_1.json: image 5 is also scored in .*p_mmocr0_0_2.json; shards must not overlap" \
  eval --merge "$TMP/p_mmocr0_0_2.json" "$TMP/overlap_1.json"
sed 's/"image_ids":\[6,/"image_ids":[/' "$TMP/p_mmocr0_1_2.json" > "$TMP/gap_1.json"
refused "image 6 of .* is in no part; the parts must cover every image" eval --merge "$TMP/p_mmocr0_0_2.json" "$TMP/gap_1.json"
printf '{"format":"textq-eval-part","version":1,"metric":"mmocr0"}' > "$TMP/short.json"
refused 'short.json: "source" is missing' eval --merge "$TMP/short.json"
printf '{"format":' > "$TMP/cut.json"
refused "cut.json: not valid JSON" eval --merge "$TMP/cut.json"
refused 'single_preds.json: "format" must be "textq-eval-part"' eval --merge "$TMP/single_preds.json"
refused "--shard 3/3: need 0 <= I < N" eval --preds "$TMP/single_preds.json" --ann "$ANN0" --shard 3/3 -o "$TMP/x.json"
refused "--shard a/b: expected I/N" eval --preds "$TMP/single_preds.json" --ann "$ANN0" --shard a/b -o "$TMP/x.json"
refused "--shard needs -o PART.json" eval --preds "$TMP/single_preds.json" --ann "$ANN0" --shard 0/2
[ -e "$TMP/x.json" ] && fail "a refused shard left a part file"
echo "eval_shard: ok"
