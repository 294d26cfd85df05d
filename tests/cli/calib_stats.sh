#!/bin/sh
# Calibration on several machines: statistics gathered on two shards of a list
# file (`quantize --calib-stats-out`, round 1 ranges, round 2 histograms) merge
# (`--calib-stats-in`) into the table of one run over all the images, bit for
# bit: the INT8 model files are byte-identical (scales are stored as float32),
# for minmax and mse. Mismatched statistics are refused with one line.
# Usage: sh tests/cli/calib_stats.sh path/to/textq
set -u
TEXTQ=${1:?usage: calib_stats.sh TEXTQ_BINARY}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. tests/cli/lib/checks.sh

run convert demo/textsnake_demo.pth -o "$TMP/m.textq"
run convert demo/textsnake_demo.pth --mmocr 1 -o "$TMP/other.textq"
# 4 calibration images: all.txt, and two shards of it (list files, '#' comments allowed)
ls demo/ctw1500_calib/train_images | sort | head -n 4 | sed "s|^|$PWD/demo/ctw1500_calib/train_images/|" > "$TMP/all.txt"
{ echo "# shard a"; head -n 2 "$TMP/all.txt"; } > "$TMP/a.txt"
tail -n 2 "$TMP/all.txt" > "$TMP/b.txt"
Q="--num 0 --diag-num 0 --threads 2"

for method in minmax mse; do
  run quantize "$TMP/m.textq" --calib "$TMP/all.txt" $Q --method $method --table "$TMP/single_$method.txt" -o "$TMP/single_$method.textq"
done
# round 1: ranges on each shard
for s in a b; do
  run quantize "$TMP/m.textq" --calib "$TMP/$s.txt" $Q --method mse --calib-stats-out "$TMP/ranges_$s.json"
done
# minmax needs only the ranges
run quantize "$TMP/m.textq" --calib-stats-in "$TMP/ranges_a.json" "$TMP/ranges_b.json" $Q --method minmax \
  --table "$TMP/merged_minmax.txt" -o "$TMP/merged_minmax.textq"
cmp -s "$TMP/merged_minmax.txt" "$TMP/single_minmax.txt" || fail "minmax: merged table differs: $(diff "$TMP/merged_minmax.txt" "$TMP/single_minmax.txt" | head)"
cmp -s "$TMP/merged_minmax.textq" "$TMP/single_minmax.textq" || fail "minmax: merged INT8 model differs from the single run's"
# round 2: histograms on each shard, bins fixed by the merged ranges
for s in a b; do
  run quantize "$TMP/m.textq" --calib "$TMP/$s.txt" $Q --method mse --calib-stats-in "$TMP/ranges_a.json" "$TMP/ranges_b.json" \
    --calib-stats-out "$TMP/hist_$s.json"
done
run quantize "$TMP/m.textq" --calib-stats-in "$TMP/hist_b.json" "$TMP/hist_a.json" $Q --method mse \
  --table "$TMP/merged_mse.txt" -o "$TMP/merged_mse.textq"
cmp -s "$TMP/merged_mse.txt" "$TMP/single_mse.txt" || fail "mse: merged table differs: $(diff "$TMP/merged_mse.txt" "$TMP/single_mse.txt" | head)"
cmp -s "$TMP/merged_mse.textq" "$TMP/single_mse.textq" || fail "mse: merged INT8 model differs from the single run's"
# refusals
refused "needs histograms" quantize "$TMP/m.textq" --calib-stats-in "$TMP/ranges_a.json" "$TMP/ranges_b.json" --method mse -o "$TMP/x.textq"
refused "ranges_a.json: image .* was also observed in .*ranges_a.json; each image counts once" \
  quantize "$TMP/m.textq" --calib-stats-in "$TMP/ranges_a.json" "$TMP/ranges_a.json" --method minmax -o "$TMP/x.textq"
refused "hist_a.json: stage histograms mixed with ranges files" \
  quantize "$TMP/m.textq" --calib-stats-in "$TMP/ranges_b.json" "$TMP/hist_a.json" --method minmax -o "$TMP/x.textq"
refused "of the ranges round has no histogram in any file" \
  quantize "$TMP/m.textq" --calib-stats-in "$TMP/hist_a.json" --method mse -o "$TMP/x.textq"
refused "ranges_a.json: taken on a model with sha256 [0-9a-f]*, not this model" \
  quantize "$TMP/other.textq" --calib-stats-in "$TMP/ranges_a.json" "$TMP/ranges_b.json" --method minmax -o "$TMP/x.textq"
run quantize "$TMP/m.textq" --calib "$TMP/a.txt" $Q --method mse --calib-stats-in "$TMP/ranges_a.json" --calib-stats-out "$TMP/hist_a_only.json"
refused "hist_b.json: its histogram bins were fixed by another round of ranges" \
  quantize "$TMP/m.textq" --calib-stats-in "$TMP/hist_a_only.json" "$TMP/hist_b.json" --method mse -o "$TMP/x.textq"
refused "needs only the ranges round" \
  quantize "$TMP/m.textq" --calib "$TMP/a.txt" --method minmax --calib-stats-in "$TMP/ranges_a.json" --calib-stats-out "$TMP/y.json"
refused "it replaces --calib" quantize "$TMP/m.textq" --calib "$TMP/a.txt" --calib-stats-in "$TMP/ranges_a.json" -o "$TMP/x.textq"
refused "drop -o" quantize "$TMP/m.textq" --calib "$TMP/a.txt" --calib-stats-out "$TMP/y.json" -o "$TMP/x.textq"
echo "not_an_image.json" > "$TMP/badlist.txt"
refused "badlist.txt: line 1 (not_an_image.json): not an image file name" quantize "$TMP/m.textq" --calib "$TMP/badlist.txt" -o "$TMP/x.textq"
printf '{"format":"textq-calib-stats","version":1}' > "$TMP/short.json"
refused 'short.json: "stage" is missing' quantize "$TMP/m.textq" --calib-stats-in "$TMP/short.json" --method minmax -o "$TMP/x.textq"
[ -e "$TMP/x.textq" ] || [ -e "$TMP/y.json" ] && fail "a refused run left an output file"
echo "calib_stats: ok"
