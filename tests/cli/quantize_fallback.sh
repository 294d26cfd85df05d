#!/bin/sh
# quantize --sensitivity / --max-drop end to end on the demo model, with three
# real photos as validation images (agreement with FP32 detections):
#  1. --sensitivity prints one leave-one-out row per INT8 layer (66).
#  2. --max-drop 1 is met by the all-INT8 graph: no layer moves, file written.
#  3. --max-drop 0 with one move allowed: either met (file written) or
#     refused, exit 1 and no file: with the drop it reached on the selection
#     half of --val (photos 1 and 3), or because the confirmation half (photo
#     2) does not hold it.
#  4. --max-drop 1: the confirmation line is printed.
# Usage: sh tests/cli/quantize_fallback.sh TEXTQ
set -u
TEXTQ=${1:?usage: quantize_fallback.sh TEXTQ_BINARY}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
CALIB=demo/ctw1500_calib/train_images
VAL=tests/data/photos/totaltext

"$TEXTQ" -q convert demo/textsnake_demo.pth -o "$TMP/fp32.textq" || fail "convert"
"$TEXTQ" quantize "$TMP/fp32.textq" --calib $CALIB --num 4 -o "$TMP/a.textq" --diag-num 1 --val $VAL \
  --sensitivity --max-drop 1 > "$TMP/a.out" 2> "$TMP/a.err" || fail "quantize --max-drop 1: $(cat "$TMP/a.err")"
grep -q '^layer sensitivity on 1 validation images' "$TMP/a.out" || fail "no sensitivity table"
rows=$(sed -n '/^layer sensitivity/,/^$/p' "$TMP/a.out" | grep -c '^  [a-z].* [-+][0-9.]*$')
[ "$rows" -eq 66 ] || fail "sensitivity rows: $rows, want 66"
grep -q '^  all INT8 ' "$TMP/a.out" || fail "no fallback measurements printed"
grep -q '+ FP32 ' "$TMP/a.out" && fail "--max-drop 1 moved a layer"
[ -s "$TMP/a.textq" ] || fail "--max-drop 1 wrote no model"
grep -q '^  confirmation on the other 1 images: FP32 1.0000' "$TMP/a.out" || fail "no confirmation line: $(cat "$TMP/a.out")"

"$TEXTQ" quantize "$TMP/fp32.textq" --calib $CALIB --num 4 -o "$TMP/b.textq" --diag-num 1 --val $VAL \
  --max-drop 0 --max-fallback 1 > "$TMP/b.out" 2> "$TMP/b.err"
code=$?
if [ $code -eq 0 ]; then
  [ -s "$TMP/b.textq" ] || fail "exit 0 but no model"
else
  [ $code -eq 1 ] || fail "exit $code, want 0 or 1: $(cat "$TMP/b.err")"
  grep -q -e '--max-drop 0: the drop is still .* after moving [01] layer(s) back to FP32' \
    -e '--max-drop 0: the drop is .* on the 2 selection images but .* on the 1 confirmation images' "$TMP/b.err" \
    || fail "message: $(cat "$TMP/b.err")"
  [ -e "$TMP/b.textq" ] && fail "a refused --max-drop left a model file"
  ls "$TMP" | grep -q '\.tmp' && fail "a temporary file was left behind"
fi
echo "quantize --sensitivity: 66 rows; --max-drop 1: no move; --max-drop 0 --max-fallback 1: exit $code"
