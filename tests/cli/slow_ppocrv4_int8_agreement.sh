#!/bin/sh
# PP-OCRv4 det (tests/data/models/ppocrv4_det.onnx) with PaddleOCR's inference
# defaults (DetResizeForTest max 960; DB thresh 0.3, box_thresh 0.6,
# unclip_ratio 1.5): INT8 calibrated on the Total-Text and mmocr-demo photos,
# the six most sensitive layers kept FP32 (`quantize --sensitivity` on the
# calibration photos), measured on the 10 held-out ICDAR2015 photos.
# INT8 must agree with FP32's detections at threshold 0.3 at or above FLOOR,
# a regression guard set below the measured 0.958; the 0.98 target is not met
# (docs/quantization.md §9).
# Usage: sh tests/cli/slow_ppocrv4_int8_agreement.sh TEXTQ
set -u
TEXTQ=${1:?usage: slow_ppocrv4_int8_agreement.sh TEXTQ_BINARY}
FLOOR=0.93
FP32_LAYERS=p2o.Conv.3,p2o.Conv.1,p2o.Conv.2,p2o.Conv.20,p2o.Conv.0,p2o.Conv.10
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir "$TMP/calib"
cp tests/data/photos/totaltext/*.jpg tests/data/photos/mmocr-demo/*.jp*g "$TMP/calib/" || fail "copy calibration photos"
HELD_OUT=$(ls tests/data/photos/icdar2015/*.jpg | sort)
[ "$(echo "$HELD_OUT" | wc -l)" -eq 10 ] || fail "expected 10 ICDAR2015 photos"

"$TEXTQ" -q convert tests/data/models/ppocrv4_det.onnx -o "$TMP/fp32.textq" --decoder db:paddle \
  --resize paddle:max:960 --db thresh=0.3,box_thresh=0.6,unclip_ratio=1.5,use_dilation=false,score_mode=fast \
  || fail "convert"
"$TEXTQ" -q quantize "$TMP/fp32.textq" --calib "$TMP/calib" --num 0 --fp32-layers "$FP32_LAYERS" --diag-num 0 \
  -o "$TMP/int8.textq" || fail "quantize"
# shellcheck disable=SC2086
"$TEXTQ" -q detect "$TMP/fp32.textq" $HELD_OUT -o "$TMP/fp32.json" || fail "detect fp32"
# shellcheck disable=SC2086
"$TEXTQ" -q detect "$TMP/int8.textq" $HELD_OUT -o "$TMP/int8.json" || fail "detect int8"
"$TEXTQ" eval --preds "$TMP/int8.json" --ref-preds "$TMP/fp32.json" > "$TMP/agree" || fail "eval"
cat "$TMP/agree"
int8=$(grep '^thr 0.30' "$TMP/agree" | sed 's/.*hmean: //')
awk -v h="$int8" -v f="$FLOOR" 'BEGIN { exit !(h + 0 >= f + 0) }' || fail "INT8 agreement $int8 at thr 0.3 is below $FLOOR"
echo "PP-OCRv4: INT8 agreement with FP32 $int8 at thr 0.3 on 10 held-out ICDAR2015 photos (floor $FLOOR)"
