#!/bin/sh
# INT8 fidelity of a real trained detector on a real benchmark: PP-OCRv4 det
# (tests/data/models/ppocrv4_det.onnx, PaddleOCR's inference defaults) on the
# ICDAR2015 test split (500 photos, 2077 scored words), FP32 against INT8.
# The dataset is not part of textq: download it from the RRC site
# (https://rrc.cvc.uab.es/?ch=4: ch4_training_images, ch4_test_images,
# Challenge4_Test_Task1_GT; the train labels are not needed) and unpack the
# archives into one folder, DATA.
#
#   sh bench/ppocr_icdar2015.sh --data DATA [--textq build/textq] [--work DIR] [--calib-num 32]
#                               [--quantize-flags "--equalize-dw"] [--model DET.onnx]
#
# --model: another PaddleOCR DB detector exported to ONNX (PP-OCRv3 det, say),
# run with the same inference defaults; tests/data/models/ppocrv4_det.onnx if not given.
#
# Calibration: --calib-num photos of the TRAIN split (img_11, img_41, img_71,
# ...: every 30th, clear of img_1..10, the photos of tests/data; every
# floor(990 / N)th for N > 33, which every 30th cannot give), never the
# test photos it is measured on. Prints, per
# model, hmean-IoU (MMOCR 1.x rules) at every score threshold, the
# agreement of INT8 with FP32 (`eval --ref-preds`) and the model sizes.
set -eu
TEXTQ=build/textq
WORK=/tmp/textq_ic15
DATA=
CALIB_NUM=32
QFLAGS=--equalize-dw
MODEL=
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    --textq) TEXTQ=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --calib-num) CALIB_NUM=$2; shift 2 ;;
    --quantize-flags) QFLAGS=$2; shift 2 ;;
    --model) MODEL=$2; shift 2 ;;
    *) echo "ppocr_icdar2015.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done
[ -n "$DATA" ] || { echo "ppocr_icdar2015.sh: --data DATA is required (the unpacked ICDAR2015 archives)" >&2; exit 1; }
[ -d "$DATA/ch4_test_images" ] && [ -d "$DATA/Challenge4_Test_Task1_GT" ] && [ -d "$DATA/ch4_training_images" ] ||
  { echo "ppocr_icdar2015.sh: $DATA needs ch4_test_images/, Challenge4_Test_Task1_GT/ and ch4_training_images/" >&2; exit 1; }
REPO=$(cd "$(dirname "$0")/.." && pwd)
MODEL=${MODEL:-$REPO/tests/data/models/ppocrv4_det.onnx}
[ -f "$MODEL" ] || { echo "ppocr_icdar2015.sh: --model $MODEL: no such file" >&2; exit 1; }
mkdir -p "$WORK/calib"
rm -f "$WORK"/calib/*

# Annotations: test split only (a folder of links hides the train split from `dataset`).
mkdir -p "$WORK/raw"
ln -sfn "$(cd "$DATA" && pwd)/ch4_test_images" "$WORK/raw/ch4_test_images"
ln -sfn "$(cd "$DATA" && pwd)/Challenge4_Test_Task1_GT" "$WORK/raw/Challenge4_Test_Task1_GT"
"$TEXTQ" -q dataset icdar2015 "$WORK/raw" -o "$WORK/ann"
case "$CALIB_NUM" in ''|*[!0-9]*) echo "ppocr_icdar2015.sh: --calib-num $CALIB_NUM: not a number" >&2; exit 1 ;; esac
[ "$CALIB_NUM" -ge 1 ] && [ "$CALIB_NUM" -le 990 ] || { echo "ppocr_icdar2015.sh: --calib-num must be 1..990" >&2; exit 1; }
STEP=30
[ "$CALIB_NUM" -le 33 ] || STEP=$((990 / CALIB_NUM))
seq 11 "$STEP" 1000 | head -n "$CALIB_NUM" | while read -r i; do
  [ -f "$DATA/ch4_training_images/img_$i.jpg" ] || { echo "ppocr_icdar2015.sh: no ch4_training_images/img_$i.jpg" >&2; exit 1; }
  ln -s "$(cd "$DATA" && pwd)/ch4_training_images/img_$i.jpg" "$WORK/calib/img_$i.jpg"
done

"$TEXTQ" -q convert "$MODEL" -o "$WORK/fp32.textq" --decoder db:paddle \
  --resize paddle:max:960 --db thresh=0.3,box_thresh=0.6,unclip_ratio=1.5,use_dilation=false,score_mode=fast
# shellcheck disable=SC2086
"$TEXTQ" quantize "$WORK/fp32.textq" --calib "$WORK/calib" --num 0 $QFLAGS -o "$WORK/int8.textq" > "$WORK/quantize.log" 2>&1 ||
  { cat "$WORK/quantize.log" >&2; exit 1; }
tail -3 "$WORK/quantize.log"
for m in fp32 int8; do
  echo "== $m ($(du -k "$WORK/$m.textq" | cut -f1) KiB)"
  "$TEXTQ" eval --model "$WORK/$m.textq" --ann "$WORK/ann/textdet_test.json" --img-root "$WORK/raw" --metric mmocr1 \
    -o "$WORK/$m.json" | grep -E '^(pipeline|prediction|best)'
done
echo "== agreement of INT8 with FP32"
"$TEXTQ" eval --preds "$WORK/int8.json" --ref-preds "$WORK/fp32.json" | grep -E '^(thr|best)'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
