#!/bin/sh
# quantize --gptq (docs/quantization.md §4, "GPTQ rounding"): on PP-OCRv4 every
# conv but the two deconvs is rounded, the summary line says how many and how
# much the layers' output error fell; the model differs from the RTN one only in
# its weights' integers (same size); an INT8 model made so is run by `detect`.
# With merged --calib-stats-in statistics (no images here) --gptq is refused in
# one line and nothing is written.
# Usage: sh tests/cli/quantize_gptq.sh path/to/textq
set -u
TEXTQ=${1:?usage: quantize_gptq.sh TEXTQ_BINARY}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. tests/cli/lib/checks.sh

run convert tests/data/models/ppocrv4_det.onnx -o "$TMP/pp.textq" --decoder db:paddle
ls tests/data/photos/totaltext/*.jpg | sort | head -n 2 | sed "s|^|$PWD/|" > "$TMP/calib.txt"
Q="--calib $TMP/calib.txt --num 0 --diag-num 0 --threads 2 --method minmax"
"$TEXTQ" quantize "$TMP/pp.textq" $Q -o "$TMP/rtn.textq" > "$TMP/rtn.txt" 2>&1 || fail "quantize: $(cat "$TMP/rtn.txt")"
"$TEXTQ" quantize "$TMP/pp.textq" $Q --gptq -o "$TMP/gptq.textq" > "$TMP/gptq.txt" 2>&1 ||
  fail "quantize --gptq: $(cat "$TMP/gptq.txt")"
grep -q "^gptq" "$TMP/rtn.txt" && fail "RTN run printed: $(grep '^gptq' "$TMP/rtn.txt")"
line=$(grep "^gptq" "$TMP/gptq.txt") || fail "no gptq line: $(cat "$TMP/gptq.txt")"
echo "$line" | grep -q "62 conv layers rounded on 2 calibration images' inputs" || fail "gptq line: $line"
# The error must fall: "RTN -> GPTQ (N.NNx)" with N > 1.
ratio=$(echo "$line" | sed -n 's/.*(\([0-9.]*\)x)$/\1/p')
awk -v r="$ratio" 'BEGIN { exit !(r > 1.5) }' || fail "layer error ratio '$ratio' in: $line"
cmp -s "$TMP/rtn.textq" "$TMP/gptq.textq" && fail "--gptq gave the RTN model"
[ "$(wc -c < "$TMP/rtn.textq")" -eq "$(wc -c < "$TMP/gptq.textq")" ] || fail "--gptq changed the model's size"
run detect "$TMP/gptq.textq" tests/data/photos/icdar2015/img_1.jpg -o "$TMP/det.json"

run quantize "$TMP/pp.textq" $Q --calib-stats-out "$TMP/ranges.json"
refused "need --calib images" quantize "$TMP/pp.textq" --calib-stats-in "$TMP/ranges.json" --gptq -o "$TMP/x.textq"
[ -e "$TMP/x.textq" ] && fail "a refused run wrote its output"
echo "ok: --gptq rounds PP-OCRv4's 62 convs (layer error ${ratio}x lower), same size, detect runs it; refused with merged statistics"
