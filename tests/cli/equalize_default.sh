#!/bin/sh
# quantize equalizes depthwise conv inputs by default (docs/quantization.md §9):
# PP-OCRv4 gets its 11 inputs equalized without being asked, --equalize-dw
# gives the same bytes, --no-equalize-dw another model; both flags together are
# refused with one line. A model without depthwise convs (the TextSnake demo)
# says nothing of it. Statistics merged from --calib-stats-in go without it
# (said in one line) and give the model of a run on the images with
# --no-equalize-dw, byte for byte.
# Usage: sh tests/cli/equalize_default.sh path/to/textq
set -u
TEXTQ=${1:?usage: equalize_default.sh TEXTQ_BINARY}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. tests/cli/lib/checks.sh

run convert tests/data/models/ppocrv4_det.onnx -o "$TMP/pp.textq"
ls tests/data/photos/totaltext/*.jpg | sort | head -n 2 | sed "s|^|$PWD/|" > "$TMP/calib.txt"
Q="--calib $TMP/calib.txt --num 0 --diag-num 0 --threads 2 --method minmax"
pq() {  # pq NAME [flags...]: quantize PP-OCRv4 into $TMP/NAME.textq, its output in $TMP/NAME.txt
  name=$1
  shift
  "$TEXTQ" quantize "$TMP/pp.textq" $Q "$@" -o "$TMP/$name.textq" > "$TMP/$name.txt" 2>&1 ||
    fail "quantize $*: $(cat "$TMP/$name.txt")"
}
pq default
pq asked --equalize-dw
pq off --no-equalize-dw
grep -q "^equalize dw *11 depthwise conv inputs" "$TMP/default.txt" || fail "default: $(grep -i equalize "$TMP/default.txt")"
cmp -s "$TMP/default.textq" "$TMP/asked.textq" || fail "--equalize-dw differs from the default"
grep -q "^equalize" "$TMP/off.txt" && fail "--no-equalize-dw: $(grep '^equalize' "$TMP/off.txt")"
cmp -s "$TMP/default.textq" "$TMP/off.textq" && fail "--no-equalize-dw gives the default's model"
refused "contradict" quantize "$TMP/pp.textq" $Q --equalize-dw --no-equalize-dw -o "$TMP/x.textq"
[ -e "$TMP/x.textq" ] && fail "a refused run wrote its output"

# Merged statistics: the graph as given, as a run with --no-equalize-dw.
run quantize "$TMP/pp.textq" $Q --calib-stats-out "$TMP/ranges.json"
"$TEXTQ" quantize "$TMP/pp.textq" --calib-stats-in "$TMP/ranges.json" --diag-num 0 --threads 2 --method minmax \
  -o "$TMP/merged.textq" > "$TMP/merged.txt" 2>&1 || fail "merged: $(cat "$TMP/merged.txt")"
grep -q "^equalize dw *off: merged --calib-stats-in" "$TMP/merged.txt" || fail "merged: $(grep -i equalize "$TMP/merged.txt")"
cmp -s "$TMP/merged.textq" "$TMP/off.textq" || fail "merged statistics differ from the --no-equalize-dw run"

# No depthwise conv: nothing said, and --no-equalize-dw changes nothing.
run convert demo/textsnake_demo.pth -o "$TMP/ts.textq"
TQ="--calib demo/ctw1500_calib/train_images --num 2 --diag-num 0 --threads 2"
"$TEXTQ" quantize "$TMP/ts.textq" $TQ -o "$TMP/ts8.textq" > "$TMP/ts.txt" 2>&1 || fail "quantize demo: $(cat "$TMP/ts.txt")"
grep -q "^equalize" "$TMP/ts.txt" && fail "demo: $(grep '^equalize' "$TMP/ts.txt")"
run quantize "$TMP/ts.textq" $TQ --no-equalize-dw -o "$TMP/ts8off.textq"
cmp -s "$TMP/ts8.textq" "$TMP/ts8off.textq" || fail "demo: --no-equalize-dw changed a model without depthwise convs"
echo "ok: PP-OCRv4 equalized by default (11 inputs), same as --equalize-dw; merged statistics = --no-equalize-dw; demo untouched"
