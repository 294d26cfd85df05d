#!/bin/sh
# quantize --fold-head on the demo model: the head's 1x1 out_conv is folded into
# neck.up_block0.deconv before calibration (docs/quantization.md §5), every conv
# is INT8, the graph has one node less, and the INT8 output stays as close to
# FP32 as the unfolded INT8 model's (per-channel SQNR on the same images, the
# lowest channel within 1 dB).
# Usage: sh tests/cli/fold_head.sh path/to/textq
set -u
TEXTQ=${1:?usage: fold_head.sh TEXTQ_BINARY}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. tests/cli/lib/checks.sh

run convert demo/textsnake_demo.pth -o "$TMP/m.textq"
Q="--calib demo/ctw1500_calib/train_images --num 2 --diag-num 2 --threads 2"
"$TEXTQ" quantize "$TMP/m.textq" $Q -o "$TMP/plain.textq" > "$TMP/plain.txt" 2>&1 || fail "quantize: $(cat "$TMP/plain.txt")"
"$TEXTQ" quantize "$TMP/m.textq" $Q --fold-head -o "$TMP/fold.textq" > "$TMP/fold.txt" 2>&1 ||
  fail "quantize --fold-head: $(cat "$TMP/fold.txt")"
grep -q "^folded *bbox_head.out_conv into neck.up_block0.deconv" "$TMP/fold.txt" || fail "no fold reported: $(cat "$TMP/fold.txt")"
grep -q "INT8 nodes *66 of 66 " "$TMP/fold.txt" || fail "folded model: $(grep 'INT8 nodes' "$TMP/fold.txt")"
grep -q "INT8 nodes *66 of 67 " "$TMP/plain.txt" || fail "plain model: $(grep 'INT8 nodes' "$TMP/plain.txt")"
run info "$TMP/fold.textq"
grep -q "70 nodes" "$TMP/out" || fail "info: $(grep graph "$TMP/out")"

# Lowest per-output-channel SQNR of each model (the quantize summary's "output" line).
low() { sed -n 's/.*per output channel \(.*\) dB.*/\1/p' "$1" | tr ' ' '\n' | sort -n | head -n 1; }
p=$(low "$TMP/plain.txt"); f=$(low "$TMP/fold.txt")
[ -n "$p" ] && [ -n "$f" ] || fail "no per-channel SQNR: $(grep output "$TMP/fold.txt")"
awk -v p="$p" -v f="$f" 'BEGIN { exit !(f >= p - 1.0) }' || fail "folded lowest channel SQNR $f dB vs $p dB unfolded"

# The folded INT8 model runs end to end.
run detect "$TMP/fold.textq" demo/ctw1500/test_images/$(ls demo/ctw1500/test_images | sort | head -n 1) --threads 2
echo "ok: folded, 66/66 INT8, lowest channel SQNR $f dB (unfolded $p dB)"
