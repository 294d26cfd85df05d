#!/bin/sh
# End to end against MMOCR: textq's own pipeline (dataset -> convert -> eval
# --model, oneDNN backend) on the demo test split must print exactly the
# per-threshold table that PyTorch + MMOCR 0.x's decoder and metric printed for
# the same checkpoint (demo/reference/fp32_hmean_mmocr.txt, made by
# scripts/demo_train/eval_demo.py). Usage: sh tests/cli/demo_fp32_parity.sh TEXTQ
set -u
TEXTQ=${1:?usage: demo_fp32_parity.sh TEXTQ_BINARY}
REF=demo/reference/fp32_hmean_mmocr.txt
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$TEXTQ" -q dataset ctw1500 demo/ctw1500 -o "$TMP/ann" || fail "dataset"
"$TEXTQ" -q convert demo/textsnake_demo.pth -o "$TMP/m.textq" || fail "convert"
"$TEXTQ" -q eval --model "$TMP/m.textq" --ann "$TMP/ann/instances_test.json" --img-root demo/ctw1500 \
  > "$TMP/out" 2> "$TMP/err" || fail "eval: $(cat "$TMP/err")"
# MMOCR 0.x's seven threshold lines sit between "===== MMOCR 0.x =====" and "MMOCR 0.x eval_hmean returned".
sed -n '/===== MMOCR 0.x =====/,/eval_hmean returned/p' "$REF" | grep '^thr ' > "$TMP/want"
grep '^thr ' "$TMP/out" > "$TMP/got"
[ "$(wc -l < "$TMP/want")" -eq 7 ] || fail "reference table not found in $REF"
diff "$TMP/want" "$TMP/got" > "$TMP/diff" || fail "textq differs from MMOCR:
$(cat "$TMP/diff")"
cat "$TMP/got"
echo "demo FP32: textq's table equals MMOCR's (7 thresholds)"
