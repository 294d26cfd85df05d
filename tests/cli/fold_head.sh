#!/bin/sh
# quantize folds the head by default (docs/quantization.md §5): on the demo
# model the head's 1x1 out_conv goes into neck.up_block0.deconv before
# calibration, every conv is INT8, the graph has one node less, and the INT8
# output stays as close to FP32 as the unfolded INT8 model's (--no-fold-head;
# per-channel SQNR on the same images, the lowest channel within 1 dB).
# --int8-head and --fp32-layers naming the head keep it; on PP-OCRv4 (no head
# conv) the default folds nothing and --fold-pointwise folds its one pair.
# Usage: sh tests/cli/fold_head.sh path/to/textq
set -u
TEXTQ=${1:?usage: fold_head.sh TEXTQ_BINARY}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. tests/cli/lib/checks.sh

run convert demo/textsnake_demo.pth -o "$TMP/m.textq"
Q="--calib demo/ctw1500_calib/train_images --num 2 --diag-num 2 --threads 2"
quant() {  # quant NAME [flags...]: quantize the demo model into $TMP/NAME.textq, its output in $TMP/NAME.txt
  name=$1
  shift
  "$TEXTQ" quantize "$TMP/m.textq" $Q "$@" -o "$TMP/$name.textq" > "$TMP/$name.txt" 2>&1 ||
    fail "quantize $*: $(cat "$TMP/$name.txt")"
}
quant fold
quant plain --no-fold-head
grep -q "^folded *bbox_head.out_conv into neck.up_block0.deconv (the head, default" "$TMP/fold.txt" ||
  fail "no fold reported: $(cat "$TMP/fold.txt")"
grep -q "^folded" "$TMP/plain.txt" && fail "--no-fold-head folded: $(grep '^folded' "$TMP/plain.txt")"
grep -q "INT8 nodes *66 of 66 " "$TMP/fold.txt" || fail "folded model: $(grep 'INT8 nodes' "$TMP/fold.txt")"
grep -q "INT8 nodes *66 of 67 " "$TMP/plain.txt" || fail "plain model: $(grep 'INT8 nodes' "$TMP/plain.txt")"
run info "$TMP/fold.textq"
grep -q "70 nodes" "$TMP/out" || fail "info: $(grep graph "$TMP/out")"

# Asking for the head itself keeps it unfolded.
quant int8head --int8-head
grep -q "INT8 nodes *67 of 67 " "$TMP/int8head.txt" || fail "--int8-head: $(grep 'INT8 nodes' "$TMP/int8head.txt")"
quant fp32head --fp32-layers bbox_head.out_conv
grep -q "INT8 nodes *66 of 67 " "$TMP/fp32head.txt" || fail "--fp32-layers head: $(grep 'INT8 nodes' "$TMP/fp32head.txt")"
cmp -s "$TMP/fp32head.textq" "$TMP/plain.textq" || fail "--fp32-layers bbox_head.out_conv differs from --no-fold-head"

# Lowest per-output-channel SQNR of each model (the quantize summary's "output" line).
low() { sed -n 's/.*per output channel \(.*\) dB.*/\1/p' "$1" | tr ' ' '\n' | sort -n | head -n 1; }
p=$(low "$TMP/plain.txt"); f=$(low "$TMP/fold.txt")
[ -n "$p" ] && [ -n "$f" ] || fail "no per-channel SQNR: $(grep output "$TMP/fold.txt")"
awk -v p="$p" -v f="$f" 'BEGIN { exit !(f >= p - 1.0) }' || fail "folded lowest channel SQNR $f dB vs $p dB unfolded"

# The folded INT8 model runs end to end.
run detect "$TMP/fold.textq" demo/ctw1500/test_images/$(ls demo/ctw1500/test_images | sort | head -n 1) --threads 2

# PP-OCRv4: no head conv, so the default folds nothing; --fold-pointwise folds the one linear conv -> 1x1 pair.
run convert tests/data/models/ppocrv4_det.onnx -o "$TMP/pp.textq"
PQ="--calib tests/data/photos/totaltext --num 1 --diag-num 0 --threads 2"
"$TEXTQ" quantize "$TMP/pp.textq" $PQ -o "$TMP/pp8.textq" > "$TMP/pp.txt" 2>&1 || fail "quantize pp: $(cat "$TMP/pp.txt")"
grep -q "^folded" "$TMP/pp.txt" && fail "PP-OCRv4 default folded: $(grep '^folded' "$TMP/pp.txt")"
"$TEXTQ" quantize "$TMP/pp.textq" $PQ --fold-pointwise -o "$TMP/pp8f.textq" > "$TMP/ppf.txt" 2>&1 ||
  fail "quantize pp --fold-pointwise: $(cat "$TMP/ppf.txt")"
grep -q "^folded *p2o.Conv.37 into p2o.Conv.36 (--fold-pointwise)" "$TMP/ppf.txt" ||
  fail "PP-OCRv4 --fold-pointwise: $(grep '^folded' "$TMP/ppf.txt")"
echo "ok: head folded by default, 66/66 INT8, lowest channel SQNR $f dB (unfolded $p dB); PP-OCRv4 only with --fold-pointwise"
