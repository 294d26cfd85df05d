#!/bin/sh
# CLI check of `textq dataset icdar2015` on a raw tree made from the committed
# ICDAR2015 photos and their raw labels (tests/data/photos/icdar2015): the
# counts it prints, the json it writes (img_path under the image folder),
# and one-line errors for a missing label file or a root without a split.
# The content itself is checked against MMOCR's json in
# tests/golden/datasets/test_icdar2015_convert.cpp.
# Usage: sh tests/cli/dataset_icdar2015.sh TEXTQ
set -u
TEXTQ=${1:?usage: dataset_icdar2015.sh TEXTQ_BINARY}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. tests/cli/lib/expect_error.sh
P=tests/data/photos/icdar2015
R="$TMP/raw"
mkdir -p "$R/ch4_training_images"
cp "$P"/img_*.jpg "$R/ch4_training_images/"
cp -r "$P/gt" "$R/ch4_training_localization_transcription_gt"

"$TEXTQ" dataset icdar2015 "$R" -o "$TMP/ann" > "$TMP/log" 2>&1 || fail "dataset icdar2015: $(cat "$TMP/log")"
grep -q "textdet_train.json (10 images, 82 boxes, 21 not ignored)" "$TMP/log" || fail "summary line: $(cat "$TMP/log")"
[ ! -e "$TMP/ann/textdet_test.json" ] || fail "a test json without a test split"
grep -q '"img_path": "ch4_training_images/img_1.jpg"' "$TMP/ann/textdet_train.json" || fail "img_path prefix"
NO_OUTPUT="$TMP/none/textdet_train.json"
rm "$R/ch4_training_localization_transcription_gt/gt_img_4.txt"
expect_error "missing label" 2 "img_4\.jpg: no label file gt_img_4\.txt" -- "$TEXTQ" dataset icdar2015 "$R" -o "$TMP/none"
expect_error "no split" 2 "no ICDAR2015 split" -- "$TEXTQ" dataset icdar2015 "$TMP/ann" -o "$TMP/none"
finish "dataset icdar2015"
