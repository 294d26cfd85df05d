#!/bin/sh
# textq convert's pipeline flags (--pipeline, --decoder, --db, --mean, --std,
# --resize) end to end: what `textq info` then shows, and every bad value
# refused with one stderr line, the right exit code and no model file.
# Usage: sh tests/cli/pipeline_flags.sh path/to/textq
set -u
TEXTQ=${1:?usage: pipeline_flags.sh TEXTQ_BINARY}
PTH=tests/data/network/r18w4_caffe_1x.pth
MMD=tests/data/mmdeploy
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
NO_OUTPUT=$TMP/m.textq  # no refused convert may write the model
. tests/cli/lib/expect_error.sh

# expect_info NAME PATTERN: `textq info` of the last converted model shows PATTERN.
expect_info() {
  "$TEXTQ" info "$TMP/m.textq" > "$TMP/info" 2>&1 || fail "$1: info failed: $(cat "$TMP/info")"
  grep -Eq -- "$2" "$TMP/info" || fail "$1: info lacks /$2/: $(cat "$TMP/info")"
  echo "ok   $1"
}

# --- good conversions
"$TEXTQ" -q convert "$PTH" --mmocr 1 -o "$TMP/m.textq" --pipeline "$MMD/textsnake_mmocr0/pipeline.json" \
  --resize mmocr:1280x704/64 --mean 1,2,3.5 || fail "convert with pipeline.json"
expect_info "pipeline.json + --resize + --mean" \
  "preprocess +MMOCR 1.x rules, resize into 1280x704, mean \(1, 2, 3.5\), std \(58.395, 57.12, 57.375\), RGB, pad to 64"
expect_info "TextSnake decoder from the json" "decoder +TextSnake \(MMOCR 1.x rules\)"
"$TEXTQ" -q convert "$PTH" --mmocr 1 -o "$TMP/m.textq" --resize paddle:min:736 --std 0.5,0.5,0.5 || fail "convert paddle resize"
expect_info "--resize paddle" "preprocess +PaddleOCR DetResizeForTest limit_type min limit_side_len 736 .*mean \(0.485, 0.456, 0.406\), std \(0.5, 0.5, 0.5\), BGR"

# --- bad values: 1 = usage, 2 = bad file, 3 = unsupported
expect_error "--mean two values" 1 "--mean '1,2': expected three comma-separated numbers" -- \
  "$TEXTQ" convert "$PTH" -o "$TMP/m.textq" --mean 1,2
expect_error "--std zero" 1 "--std '1,0,1': every value must be > 0" -- "$TEXTQ" convert "$PTH" -o "$TMP/m.textq" --std 1,0,1
expect_error "--resize syntax" 1 "--resize 'big': expected mmocr:LONGxSHORT" -- "$TEXTQ" convert "$PTH" -o "$TMP/m.textq" --resize big
expect_error "--decoder unknown" 1 "--decoder 'east': expected textsnake, db" -- \
  "$TEXTQ" convert "$PTH" -o "$TMP/m.textq" --decoder east
expect_error "--decoder db on TextSnake" 1 "a TextSnake checkpoint needs the textsnake decoder" -- \
  "$TEXTQ" convert "$PTH" -o "$TMP/m.textq" --decoder db:mmocr1
expect_error "--db without db" 1 "--db 'box_type=poly': needs a DB decoder" -- \
  "$TEXTQ" convert "$PTH" -o "$TMP/m.textq" --db box_type=poly
printf '{"pipeline": ' > "$TMP/broken.json"
expect_error "malformed json" 2 "broken.json: not valid JSON" -- \
  "$TEXTQ" convert "$PTH" -o "$TMP/m.textq" --pipeline "$TMP/broken.json"
sed 's/"ImageToTensor"/"RandomRotate"/' "$MMD/textsnake_mmocr0/pipeline.json" > "$TMP/rot.json"
expect_error "unsupported transform" 3 "rot.json: pipeline.tasks\[0\].transforms\[4\].type: 'RandomRotate' is not supported" -- \
  "$TEXTQ" convert "$PTH" -o "$TMP/m.textq" --pipeline "$TMP/rot.json"
expect_error "missing json" 2 "nope.json" -- "$TEXTQ" convert "$PTH" -o "$TMP/m.textq" --pipeline "$TMP/nope.json"

# --- detect with a DB model (the fuzz seed: PaddleOCR pre-processing, a 1x1 conv, DB decoder)
DBM=tests/fuzz/corpus/model_file/tiny_db_paddle.textq
IMG=tests/data/photos/mmocr-demo/demo_text_det.jpg
"$TEXTQ" -q detect "$DBM" "$IMG" -o "$TMP/db.json" --backend reference || fail "detect with a DB model"
grep -q '"polygons":\[\[' "$TMP/db.json" || fail "DB detect found no polygon: $(cat "$TMP/db.json")"
"$TEXTQ" -q detect "$DBM" "$IMG" -o "$TMP/db_poly.json" --backend reference --db box_type=poly,box_thresh=0.35 || fail "detect --db"
cmp -s "$TMP/db.json" "$TMP/db_poly.json" && fail "--db box_type=poly changed nothing"
echo "ok   detect with a DB model (+ --db override)"
expect_error "--mmocr on a PaddleOCR DB model" 1 "--mmocr: this model follows PaddleOCR's DB post-processing" -- \
  "$TEXTQ" detect "$DBM" "$IMG" --mmocr 1
expect_error "TextSnake option on a DB model" 1 "this model uses the DB decoder \(use --db\)" -- \
  "$TEXTQ" detect "$DBM" "$IMG" --min-center-conf 0.3
expect_error "--db bad value" 1 "--db box_thresh 'x': must be a finite number" -- \
  "$TEXTQ" detect "$DBM" "$IMG" --db box_thresh=x
"$TEXTQ" -q convert "$PTH" --mmocr 1 -o "$TMP/ts.textq" || fail "convert"
expect_error "--db on a TextSnake model" 1 "--db 'box_type=poly': this model uses the TextSnake decoder" -- \
  "$TEXTQ" detect "$TMP/ts.textq" "$IMG" --db box_type=poly

finish "all pipeline flag checks passed"
