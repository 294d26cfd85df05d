#!/bin/sh
# The main job on the embedded demo (demo/: synthetic CTW1500-layout data and
# a small TextSnake trained by scripts/train_demo_textsnake.py):
#   dataset -> convert -> eval FP32 -> quantize (calibration split) -> eval INT8
#   -> bench -> report; then PP-OCRv4 det (ONNX) on one real photo
# Usage: sh scripts/demo.sh [TEXTQ_BINARY]   (make demo runs it after the build)
# Output in demo_out/ (DEMO_OUT overrides); the last step prints the summary table.
set -eu
TEXTQ=${1:-build/textq}
OUT=${DEMO_OUT:-demo_out}
THREADS=${THREADS:-$(nproc)}
rm -rf "$OUT"
mkdir -p "$OUT"
start=$(date +%s)

step() { printf '\n== %s\n' "$*"; }

step "1/7 dataset: raw CTW1500 layout -> MMOCR 0.x and 1.x annotation json"
"$TEXTQ" dataset ctw1500 demo/ctw1500 -o "$OUT/ann"

step "2/7 convert: MMOCR 0.x checkpoint -> textq model"
"$TEXTQ" convert demo/textsnake_demo.pth -o "$OUT/textsnake_fp32.textq"

step "3/7 eval FP32 on the test split (MMOCR 0.x hmean-IoU)"
"$TEXTQ" eval --model "$OUT/textsnake_fp32.textq" --ann "$OUT/ann/instances_test.json" --img-root demo/ctw1500 \
  --threads "$THREADS" -o "$OUT/preds_fp32.json" --report-json "$OUT/eval_fp32.json"

step "4/7 quantize: calibration on the calibration split (never the test images)"
"$TEXTQ" quantize "$OUT/textsnake_fp32.textq" --calib demo/ctw1500_calib/train_images \
  --val "$OUT/ann/instances_test.json" --val-root demo/ctw1500 --threads "$THREADS" \
  -o "$OUT/textsnake_int8.textq" --report-json "$OUT/quant.json"

step "5/7 eval INT8 on the test split"
"$TEXTQ" eval --model "$OUT/textsnake_int8.textq" --ann "$OUT/ann/instances_test.json" --img-root demo/ctw1500 \
  --threads "$THREADS" -o "$OUT/preds_int8.json" --report-json "$OUT/eval_int8.json"

step "6/7 bench: the network alone at 1x3x736x1280, $THREADS threads, FP32 and INT8 runs alternating"
"$TEXTQ" bench "$OUT/textsnake_fp32.textq" "$OUT/textsnake_int8.textq" --size 736x1280 --threads "$THREADS" --runs 7 \
  --json "$OUT/bench_fp32.json" --json "$OUT/bench_int8.json"

step "7/7 report"
"$TEXTQ" report --eval-fp32 "$OUT/eval_fp32.json" --eval-int8 "$OUT/eval_int8.json" \
  --preds-fp32 "$OUT/preds_fp32.json" --preds-int8 "$OUT/preds_int8.json" \
  --ann "$OUT/ann/instances_test.json" --img-root demo/ctw1500 \
  --bench-fp32 "$OUT/bench_fp32.json" --bench-int8 "$OUT/bench_int8.json" --quant "$OUT/quant.json" \
  --model-fp32 "$OUT/textsnake_fp32.textq" --model-int8 "$OUT/textsnake_int8.textq" \
  -o "$OUT/report.html"

step "+ a real detector: PaddleOCR PP-OCRv4 det (ONNX) with PaddleOCR's inference defaults, on a real photo"
"$TEXTQ" -q convert tests/data/models/ppocrv4_det.onnx -o "$OUT/ppocrv4_fp32.textq" --decoder db:paddle \
  --resize paddle:max:960 --db thresh=0.3,box_thresh=0.6,unclip_ratio=1.5,use_dilation=false,score_mode=fast
"$TEXTQ" detect "$OUT/ppocrv4_fp32.textq" tests/data/photos/mmocr-demo/demo_text_det.jpg --threads "$THREADS" \
  --show "$OUT/ppocrv4_show"

printf '\ndemo finished in %d s; open %s/report.html\n' "$(( $(date +%s) - start ))" "$OUT"
