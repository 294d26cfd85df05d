#!/bin/sh
# PP-OCRv4 det (tests/data/models/ppocrv4_det.onnx) with PaddleOCR's inference
# defaults (DetResizeForTest max 960; DB thresh 0.3, box_thresh 0.6,
# unclip_ratio 1.5): INT8 calibrated on the Total-Text and mmocr-demo photos,
# the six most sensitive layers kept FP32 (`quantize --sensitivity` on the
# calibration photos, without depthwise equalization, --no-equalize-dw),
# measured on the 10 held-out ICDAR2015 photos.
# INT8 must agree with FP32's detections at threshold 0.3 at or above FLOOR,
# a regression guard set below the measured 0.958; and every conv INT8 with
# --equalize-dw at or above EQ_FLOOR, below its measured 0.986 (the 0.98
# target, met on this split; docs/quantization.md §9).
# Both floors hold for the INT8 arithmetic itself (--backend reference, exact)
# on every CPU, and for the oneDNN backend where its INT8 kernels are exact
# (VNNI). Without VNNI they are not (docs/quantization.md §3): there the
# oneDNN agreement is printed, not checked (an AMD Zen 3: 0.919 and 0.833
# where the same models give 0.971 and 0.959 on the reference backend).
# Usage: sh tests/cli/slow_ppocrv4_int8_agreement.sh TEXTQ
set -u
TEXTQ=${1:?usage: slow_ppocrv4_int8_agreement.sh TEXTQ_BINARY}
FLOOR=0.93
EQ_FLOOR=0.96
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
"$TEXTQ" -q quantize "$TMP/fp32.textq" --calib "$TMP/calib" --num 0 --fp32-layers "$FP32_LAYERS" --no-equalize-dw --diag-num 0 \
  -o "$TMP/int8.textq" || fail "quantize"
# shellcheck disable=SC2086
"$TEXTQ" -q detect "$TMP/fp32.textq" $HELD_OUT -o "$TMP/fp32.json" || fail "detect fp32"
"$TEXTQ" -q quantize "$TMP/fp32.textq" --calib "$TMP/calib" --num 0 --equalize-dw --diag-num 0 \
  -o "$TMP/int8_eq.textq" || fail "quantize --equalize-dw"
for m in int8 int8_eq; do
  for backend in onednn reference; do
    # shellcheck disable=SC2086
    "$TEXTQ" -q detect "$TMP/$m.textq" $HELD_OUT --backend "$backend" -o "$TMP/$m.$backend.json" 2> "$TMP/err" ||
      { cat "$TMP/err"; fail "detect $m --backend $backend"; }
  done
done
# The CPU feature onednn_int8_sums_exact() reads from oneDNN: AVX-512 VNNI or AVX-VNNI.
if grep -qE 'avx512_vnni|avx_vnni' /proc/cpuinfo; then onednn_exact=1; else onednn_exact=0; fi
# agreement NAME FLOOR CHECK: INT8 detections $TMP/NAME.json against FP32's at
# thr 0.3; all four are printed before the test fails.
failed=""
agreement() {
  "$TEXTQ" eval --preds "$TMP/$1.json" --ref-preds "$TMP/fp32.json" > "$TMP/agree_$1" || fail "eval $1"
  cat "$TMP/agree_$1"
  h=$(grep '^thr 0.30' "$TMP/agree_$1" | sed 's/.*hmean: //')
  if [ "$3" = 0 ]; then
    echo "PP-OCRv4 $1: INT8 agreement with FP32 $h at thr 0.3 (not checked: no VNNI, oneDNN's INT8 is not exact here)"
    return
  fi
  if awk -v h="$h" -v f="$2" 'BEGIN { exit !(h + 0 >= f + 0) }'; then
    echo "PP-OCRv4 $1: INT8 agreement with FP32 $h at thr 0.3 on 10 held-out ICDAR2015 photos (floor $2)"
  else
    echo "FAIL: $1: INT8 agreement $h at thr 0.3 is below $2"
    failed="$failed $1"
  fi
}
agreement int8.reference "$FLOOR" 1
agreement int8_eq.reference "$EQ_FLOOR" 1
agreement int8.onednn "$FLOOR" "$onednn_exact"
agreement int8_eq.onednn "$EQ_FLOOR" "$onednn_exact"
[ -z "$failed" ] || fail "below the floor:$failed"
