#!/bin/sh
# INT8 vs FP32 on the 18 real photos of tests/data/photos, with the demo model
# (trained on synthetic text only, so its detections on photos are many and
# low-confidence: the hard case for agreement; docs/quantization.md §6).
#  1. oneDNN FP32 and the reference backend give the same detections (agreement 1).
#  2. INT8 (calibrated on the demo calibration split, default method) agrees
#     with FP32 at threshold 0.3 at or above FLOOR, a regression guard set
#     below the measured 0.942 (session 3); the 0.98 target is not met by this
#     model (a single INT8 layer already costs it ~0.02, docs/quantization.md §6).
# Usage: sh tests/cli/slow_photo_agreement.sh TEXTQ
set -u
TEXTQ=${1:?usage: slow_photo_agreement.sh TEXTQ_BINARY}
FLOOR=0.92
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
PHOTOS=$(ls tests/data/photos/*/*.jpg tests/data/photos/*/*.jpeg | sort)
[ "$(echo "$PHOTOS" | wc -l)" -eq 18 ] || fail "expected 18 photos in tests/data/photos"

"$TEXTQ" -q convert demo/textsnake_demo.pth -o "$TMP/fp32.textq" || fail "convert"
"$TEXTQ" -q quantize "$TMP/fp32.textq" --calib demo/ctw1500_calib/train_images -o "$TMP/int8.textq" --diag-num 0 \
  || fail "quantize"
# shellcheck disable=SC2086
"$TEXTQ" -q detect "$TMP/fp32.textq" $PHOTOS -o "$TMP/fp32.json" || fail "detect fp32"
# shellcheck disable=SC2086
"$TEXTQ" -q detect "$TMP/fp32.textq" $PHOTOS -o "$TMP/ref.json" --backend reference || fail "detect reference"
# shellcheck disable=SC2086
"$TEXTQ" -q detect "$TMP/int8.textq" $PHOTOS -o "$TMP/int8.json" || fail "detect int8"

# "thr 0.30, recall: R, precision: P, hmean: H" -> H
hmean_at_03() { grep '^thr 0.30' "$1" | sed 's/.*hmean: //'; }
"$TEXTQ" eval --preds "$TMP/ref.json" --ref-preds "$TMP/fp32.json" > "$TMP/ref_agree" || fail "eval reference"
"$TEXTQ" eval --preds "$TMP/int8.json" --ref-preds "$TMP/fp32.json" > "$TMP/int8_agree" || fail "eval int8"
cat "$TMP/int8_agree"
ref=$(hmean_at_03 "$TMP/ref_agree")
int8=$(hmean_at_03 "$TMP/int8_agree")
[ "$ref" = "1.000" ] || fail "reference backend vs oneDNN FP32 agreement $ref, want 1.000"
awk -v h="$int8" -v f="$FLOOR" 'BEGIN { exit !(h + 0 >= f + 0) }' || fail "INT8 agreement $int8 at thr 0.3 is below $FLOOR"
echo "photos: reference = oneDNN FP32 (agreement $ref); INT8 agreement $int8 at thr 0.3 (floor $FLOOR)"
