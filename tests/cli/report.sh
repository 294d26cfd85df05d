#!/bin/sh
# CLI check of `textq report` on the small committed inputs in tests/data/report
# (4 demo images, FP32 and INT8 predictions, bench and quantize json; see the
# README there). Builds the annotation and eval files with textq itself, makes
# the report, checks the HTML, the bad-input errors and, when
# /usr/bin/chromium exists, renders it headless and checks the page.
# Usage: sh tests/cli/report.sh path/to/textq
set -u
TEXTQ=${1:?usage: report.sh TEXTQ_BINARY}
R=tests/data/report
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$TEXTQ" dataset ctw1500 "$R/ctw1500" -o "$TMP/ann" > "$TMP/log" 2>&1 || fail "dataset: $(cat "$TMP/log")"
ANN="$TMP/ann/instances_test.json"
for m in fp32 int8; do
  "$TEXTQ" eval --preds "$R/preds_$m.json" --ann "$ANN" --report-json "$TMP/eval_$m.json" > "$TMP/e_$m" 2>&1 \
    || fail "eval $m: $(cat "$TMP/e_$m")"
done
grep -q "hmean: 0.6667 (gt: 12, det: 12" "$TMP/e_fp32" || fail "fp32 eval changed: $(cat "$TMP/e_fp32")"
grep -q "hmean: 0.8696 (gt: 12, det: 11" "$TMP/e_int8" || fail "int8 eval changed: $(cat "$TMP/e_int8")"

common="--eval-fp32 $TMP/eval_fp32.json --eval-int8 $TMP/eval_int8.json --preds-fp32 $R/preds_fp32.json \
--preds-int8 $R/preds_int8.json --ann $ANN --img-root $R/ctw1500"
# shellcheck disable=SC2086
"$TEXTQ" report $common --bench-fp32 "$R/bench_fp32.json" --bench-int8 "$R/bench_int8.json" --quant "$R/quant.json" \
  -o "$TMP/report.html" > "$TMP/log" 2>&1 || fail "report: $(cat "$TMP/log")"
grep -q "4 images compared, 3 differ, 4 shown" "$TMP/log" || fail "report summary line: $(cat "$TMP/log")"
H="$TMP/report.html"

# 1. one self-contained file: every section, no scripts, nothing fetched
for id in summary summary-table threshold-plot quantization layer-error layer-sqnr layer-table images footer; do
  grep -q "id=\"$id\"" "$H" || fail "no element id=$id"
done
grep -qi "<script" "$H" && fail "the page has a script"
grep -Eqi "(src|href)=\"(https?:)?//" "$H" && fail "the page loads something from the network"
grep -qi "<link" "$H" && fail "the page links an external resource"
[ "$(grep -o 'src="data:image/jpeg;base64,' "$H" | wc -l)" -eq 12 ] || fail "expected 12 inline JPEGs (4 images x GT/FP32/INT8)"
size=$(wc -c < "$H")
[ "$size" -lt 1500000 ] || fail "report is $size bytes for 4 images"

# 2. the numbers are the eval files' and the ratios follow from them
grep -q "<b>0.6667</b>" "$H" || fail "FP32 hmean not in the summary table"
grep -q "<b>0.8696</b>" "$H" || fail "INT8 hmean not in the summary table"
grep -q "+0.2029</span>" "$H" || fail "hmean delta (0.8696 - 0.6667) not in the summary table"
grep -q "0.277×" "$H" || fail "size ratio (1418112 / 5118784) not in the summary table"
[ "$(grep -o '<g class="series"' "$H" | wc -l)" -eq 6 ] || fail "threshold plot should have 6 series"
[ "$(grep -o '<rect class="bar"' "$H" | wc -l)" -eq 67 ] || fail "layer chart should have 67 bars"

# 3. images most different first: 1027 (|delta hmean| 1/3) first, 1002 (same detections) last
order=$(grep -o '<span class="name">[0-9]*\.jpg' "$H" | sed 's/.*>//' | tr '\n' ' ')
[ "$order" = "1027.jpg 1025.jpg 1030.jpg 1002.jpg " ] || fail "image order: $order"
# shellcheck disable=SC2086
"$TEXTQ" report $common -o "$TMP/two.html" --max-images 2 > /dev/null 2>&1 || fail "--max-images 2"
[ "$(grep -o 'class="img-row"' "$TMP/two.html" | wc -l)" -eq 2 ] || fail "--max-images 2 shows a different count"
grep -q "No quantize report given" "$TMP/two.html" || fail "without --quant the page should say so"

# 4. bad inputs: one line naming the file; an existing output is left untouched
cp "$H" "$TMP/keep.html"
expect_error() {  # expect_error "message part" args...
  msg=$1; shift
  "$TEXTQ" report "$@" -o "$H" > "$TMP/x" 2>&1 && fail "accepted: $*"
  grep -q "$msg" "$TMP/x" || fail "message for [$*]: $(cat "$TMP/x") (wanted: $msg)"
  [ "$(wc -l < "$TMP/x")" -eq 1 ] || fail "more than one line: $(cat "$TMP/x")"
  cmp -s "$H" "$TMP/keep.html" || fail "output changed by a failed run"
}
# shellcheck disable=SC2086
expect_error "$TMP/nope.json" $common --quant "$TMP/nope.json"
# shellcheck disable=SC2086
expect_error "precision fp32, expected int8" $common --bench-fp32 "$R/bench_fp32.json" --bench-int8 "$R/bench_fp32.json"
expect_error "were they made by the same run" --eval-fp32 "$TMP/eval_int8.json" --eval-int8 "$TMP/eval_int8.json" \
  --preds-fp32 "$R/preds_fp32.json" --preds-int8 "$R/preds_int8.json" --ann "$ANN" --img-root "$R/ctw1500"
printf '{"metric":"mmocr0"' > "$TMP/broken.json"
expect_error "$TMP/broken.json: not valid JSON" --eval-fp32 "$TMP/broken.json" --eval-int8 "$TMP/eval_int8.json" \
  --preds-fp32 "$R/preds_fp32.json" --preds-int8 "$R/preds_int8.json" --ann "$ANN" --img-root "$R/ctw1500"
# shellcheck disable=SC2086
expect_error "preds_fp32.json: key format: expected" $common --quant "$R/preds_fp32.json"
# shellcheck disable=SC2086
expect_error "1027.jpg" --eval-fp32 "$TMP/eval_fp32.json" --eval-int8 "$TMP/eval_int8.json" --preds-fp32 "$R/preds_fp32.json" \
  --preds-int8 "$R/preds_int8.json" --ann "$ANN" --img-root "$TMP/no_images"
# shellcheck disable=SC2086
expect_error "more than the limit of 1000 pixels (--max-image-pixels)" $common --max-image-pixels 1000

# 5. `quantize --report-json` writes what `report --quant` reads (tiny network fixture, 2 images: seconds)
"$TEXTQ" -q convert tests/data/network/r18w4_caffe_1x.pth -o "$TMP/tiny.textq" > "$TMP/x" 2>&1 || fail "convert: $(cat "$TMP/x")"
"$TEXTQ" -q quantize "$TMP/tiny.textq" --calib "$R/ctw1500/test_images" --num 2 --diag-num 1 -o "$TMP/tiny8.textq" \
  --report-json "$TMP/tiny_quant.json" > "$TMP/x" 2>&1 || fail "quantize --report-json: $(cat "$TMP/x")"
grep -q '"format": "textq-quant-report"' "$TMP/tiny_quant.json" || fail "quantize report format"
grep -q '"images": 2,' "$TMP/tiny_quant.json" || fail "quantize report: calibration image count"
grep -q '"available": 4,' "$TMP/tiny_quant.json" || fail "quantize report: available images"
grep -q '"int8_nodes": 33,' "$TMP/tiny_quant.json" || fail "quantize report: INT8 node count"
grep -q '"fp32_reason": "default for the head' "$TMP/tiny_quant.json" || fail "quantize report: reason for the FP32 head"
# shellcheck disable=SC2086
"$TEXTQ" report $common --quant "$TMP/tiny_quant.json" -o "$TMP/tiny.html" > "$TMP/x" 2>&1 || fail "report --quant: $(cat "$TMP/x")"
[ "$(grep -o '<rect class="bar"' "$TMP/tiny.html" | wc -l)" -eq 34 ] || fail "tiny layer chart should have 34 bars"
grep -q "33 of 34 Conv/ConvTranspose" "$TMP/tiny.html" || fail "INT8 layer count not on the page"

# 6. rendered by a real browser
CHROMIUM=${TEXTQ_CHROMIUM:-/usr/bin/chromium}  # overridable to test the skip path
if [ ! -x "$CHROMIUM" ]; then
  echo "report: SKIPPED the browser rendering check: $CHROMIUM not found (apt-get install chromium); HTML checks passed"
  echo "report: ok"
  exit 0
fi
flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
--disable-component-update --disable-sync --hide-scrollbars --user-data-dir=$TMP/chromium-profile"
# shellcheck disable=SC2086
timeout 120 "$CHROMIUM" $flags --dump-dom "file://$(realpath "$H")" > "$TMP/dom.html" 2> "$TMP/chromium.log" \
  || fail "chromium --dump-dom: $(tail -3 "$TMP/chromium.log")"
id_missing=""
for id in summary-table threshold-plot layer-sqnr images img-0 img-1 img-2 img-3 footer; do
  grep -q "id=\"$id\"" "$TMP/dom.html" || id_missing="$id_missing $id"
done
[ -z "$id_missing" ] || fail "not in the rendered DOM:$id_missing"
# shellcheck disable=SC2086
(cd "$TMP" && timeout 120 "$CHROMIUM" $flags --screenshot="$TMP/shot.png" --window-size=1280,2400 \
  "file://$(realpath "$H")" > /dev/null 2>> "$TMP/chromium.log") || fail "chromium --screenshot: $(tail -3 "$TMP/chromium.log")"
[ -s "$TMP/shot.png" ] || fail "empty screenshot"
head -c 8 "$TMP/shot.png" | od -An -c | grep -q "P   N   G" || fail "screenshot is not a PNG"
png=$(wc -c < "$TMP/shot.png")
# A blank 1280x2400 page compresses to a few kB; tables, plots and photos do not.
[ "$png" -gt 150000 ] || fail "screenshot is only $png bytes: is the page blank?"
if /usr/bin/python3 -c "import cv2" 2>/dev/null; then
  /usr/bin/python3 - "$TMP/shot.png" <<'PY' || fail "screenshot pixels"
import sys, cv2
im = cv2.imread(sys.argv[1])
assert im is not None and im.shape[:2] == (2400, 1280), im.shape
# every band of the page has content (not a uniform colour)
for y in range(0, 2400, 400):
    band = im[y:y + 400]
    assert band.std() > 8, f"rows {y}..{y + 400} are nearly uniform (std {band.std():.1f})"
print(f"screenshot {im.shape[1]}x{im.shape[0]}, pixel std {im.std():.1f}")
PY
fi
echo "report: ok (rendered by chromium)"
