#!/bin/sh
# Bad input through the CLI: each case must exit non-zero with ONE line on
# stderr that names the file and the rule, and must leave no output file (nor
# touch an existing good one). Usage: sh tests/cli/bad_input.sh path/to/textq
set -u
TEXTQ=${1:?usage: bad_input.sh TEXTQ_BINARY}
PTH=tests/data/pth
NET=tests/data/network
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. tests/cli/lib/expect_error.sh

# --- convert: hostile or broken checkpoints, each refused, no model written
for case in "corrupt_zip.pth:zip" "truncated_pickle.pth:truncated_pickle" "evil_os_system.pth:os\.system" \
            "evil_builtins_eval.pth:builtins\.eval" "dotdot_zip.pth:\.\." "numel_overflow.pth:overflow" \
            "offset_past_end.pth:past the end|beyond|exceeds"; do
  f=${case%%:*} pat=${case#*:}
  expect_error "convert $f" 2 "$f" "$pat" -- "$TEXTQ" convert "$PTH/$f" -o "$TMP/m.textq"
  [ ! -e "$TMP/m.textq" ] || fail "convert $f left a model file"
done
# a checkpoint that is valid but not TextSnake
expect_error "convert other model" 3 "not a TextSnake checkpoint" -- "$TEXTQ" convert "$PTH/dtypes_zip.pth" -o "$TMP/m.textq"
[ ! -e "$TMP/m.textq" ] || fail "convert of another model left a file"
# a missing checkpoint
expect_error "convert missing" 2 "nope\.pth" -- "$TEXTQ" convert "$TMP/nope.pth" -o "$TMP/m.textq"

# --- convert MODEL.onnx: truncated, hostile or unsupported files (tests/data/onnx/small), each one line, no model written
ONNX=tests/data/onnx/small
head -c 100000 tests/data/models/ppocrv4_det.onnx > "$TMP/trunc.onnx"
expect_error "convert truncated onnx" 2 "trunc\.onnx" "not a valid ONNX model" -- "$TEXTQ" convert "$TMP/trunc.onnx" -o "$TMP/m.textq"
for case in "missing_initializer.onnx:2:conv_a.*nowhere.*missing" "cycle.onnx:2:cycle" \
            "raw_data_mismatch.onnx:2:initializer .w.*raw_data has 44 bytes.*need 48" \
            "negative_dims.onnx:2:initializer .w.*negative" "huge_dims.onnx:2:initializer .w.*exceeds 2\^27" \
            "external_data.onnx:3:initializer .w.*external data" "unknown_op.onnx:3:mystery.*Einsum, opset 11.*not supported"; do
  f=${case%%:*} rest=${case#*:}
  code=${rest%%:*} pat=${rest#*:}
  expect_error "convert $f" "$code" "$f" "$pat" -- "$TEXTQ" convert "$ONNX/$f" -o "$TMP/m.textq"
  [ ! -e "$TMP/m.textq" ] || fail "convert $f left a model file"
done

# --- a good conversion, then a failing one onto the same path keeps the good file
"$TEXTQ" -q convert "$NET/r50w4_caffe_0x.pth" -o "$TMP/good.textq" || fail "good convert"
sum_before=$(cksum < "$TMP/good.textq")
expect_error "convert over good" 2 "evil_os_system" -- "$TEXTQ" convert "$PTH/evil_os_system.pth" -o "$TMP/good.textq"
[ "$(cksum < "$TMP/good.textq")" = "$sum_before" ] || fail "a failed convert changed the existing good model"

# --- truncated model file
head -c 3000 "$TMP/good.textq" > "$TMP/trunc.textq"
expect_error "detect truncated model" 2 "trunc\.textq" -- "$TEXTQ" detect "$TMP/trunc.textq" tests/data/textdet/img3.jpg

# --- detect: missing and unreadable images, no predictions file written
expect_error "detect missing image" 2 "not found" "missing\.jpg" -- "$TEXTQ" detect "$TMP/good.textq" "$TMP/missing.jpg" -o "$TMP/p.json"
printf 'this is not an image\n' > "$TMP/text.jpg"
expect_error "detect unreadable image" 2 "text\.jpg" -- "$TEXTQ" detect "$TMP/good.textq" "$TMP/text.jpg" -o "$TMP/p.json"
[ ! -e "$TMP/p.json" ] || fail "a failed detect left a predictions file"

# --- detect: a PNG whose header claims 100000x100000 is refused before decoding
# (exit 2, the message names the limit and the flag); --max-image-pixels (a
# global option, before or after the subcommand) moves the limit either way.
printf '\211PNG\015\012\032\012\000\000\000\015IHDR\000\001\206\240\000\001\206\240\010\002\000\000\000\000\000\000\000' > "$TMP/huge.png"
expect_error "detect huge png header" 2 "huge\.png" "100000x100000" "limit of 100000000 pixels \(--max-image-pixels\)" \
  "refused before decoding" -- "$TEXTQ" detect "$TMP/good.textq" "$TMP/huge.png" -o "$TMP/p.json"
[ ! -e "$TMP/p.json" ] || fail "a refused detect left a predictions file"
expect_error "detect jpeg over --max-image-pixels" 2 "demo_text_det\.jpg" "460x276" "limit of 1000 pixels" -- \
  "$TEXTQ" detect "$TMP/good.textq" tests/data/textdet/demo_text_det.jpg --max-image-pixels 1000 -o "$TMP/p.json"
[ ! -e "$TMP/p.json" ] || fail "a refused detect left a predictions file"
"$TEXTQ" -q detect "$TMP/good.textq" tests/data/textdet/demo_text_det.jpg -o "$TMP/p.json" > /dev/null 2> "$TMP/err" ||
  fail "detect of the 460x276 jpeg under the default limit: $(cat "$TMP/err")"
"$TEXTQ" -q --max-image-pixels 126960 detect "$TMP/good.textq" tests/data/textdet/demo_text_det.jpg > /dev/null 2> "$TMP/err" ||
  fail "detect of the 460x276 jpeg at a limit of exactly 460*276: $(cat "$TMP/err")"
expect_error "eval --model image over --max-image-pixels" 2 "imgs/test/1001\.jpg" "limit of 1000 pixels" -- \
  "$TEXTQ" -q eval --model "$TMP/good.textq" --ann tests/data/datasets/ctw1500-mini/instances_test.json \
  --img-root tests/data/datasets/ctw1500-mini/imgs --max-image-pixels 1000
expect_error "bad --max-image-pixels" 1 "usage" -- "$TEXTQ" --max-image-pixels 0 detect "$TMP/good.textq" tests/data/textdet/demo_text_det.jpg

# --- quantize: empty folder, unreadable image, a model that is already INT8; no output file
mkdir -p "$TMP/empty" "$TMP/badimg"
printf 'x' > "$TMP/badimg/a.jpg"
expect_error "quantize empty folder" 1 "empty" "no image files" -- "$TEXTQ" quantize "$TMP/good.textq" --calib "$TMP/empty" -o "$TMP/q.textq"
expect_error "quantize unreadable image" 2 "a\.jpg" "not a supported image" -- "$TEXTQ" -q quantize "$TMP/good.textq" --calib "$TMP/badimg" -o "$TMP/q.textq"
expect_error "detect bf16 on the reference backend" 1 "bf16" "onednn backend only" -- \
  "$TEXTQ" detect "$TMP/good.textq" tests/data/textdet/demo_text_det.jpg --backend reference --precision bf16 -o "$TMP/p_bf16.json"
[ -e "$TMP/p_bf16.json" ] && fail "detect bf16 on the reference backend wrote $TMP/p_bf16.json"
expect_error "quantize --precision bf16" 1 "precision bf16" "run-time choice" -- \
  "$TEXTQ" quantize "$TMP/good.textq" --calib tests/data/textdet -o "$TMP/q.textq" --precision bf16
[ ! -e "$TMP/q.textq" ] || fail "a failed quantize left a model file"
expect_error "quantize calib image over --max-image-pixels" 2 "limit of 1000 pixels" -- \
  "$TEXTQ" -q --max-image-pixels 1000 quantize "$TMP/good.textq" --calib tests/data/textdet --num 1 --diag-num 0 -o "$TMP/q.textq"
[ ! -e "$TMP/q.textq" ] || fail "a refused quantize left a model file"
mkdir -p "$TMP/grey" "$TMP/val"
cp tests/data/textdet/grey_70x45.png "$TMP/grey/"  # 3150 pixels
cp tests/data/textdet/demo_text_det.jpg "$TMP/val/"  # 126960 pixels
expect_error "quantize val image over --max-image-pixels" 2 "val/demo_text_det\.jpg.*limit of 5000 pixels" -- \
  "$TEXTQ" -q --max-image-pixels 5000 quantize "$TMP/good.textq" --calib "$TMP/grey" --val "$TMP/val" --diag-num 0 \
  -o "$TMP/q.textq"
[ ! -e "$TMP/q.textq" ] || fail "a refused quantize left a model file"
expect_error "dataset image over --max-image-pixels" 2 "ctw1500-mini/.*\.jpg" "limit of 1000 pixels" -- \
  "$TEXTQ" -q dataset ctw1500 tests/data/datasets/ctw1500-mini -o "$TMP/ds" --max-image-pixels 1000
"$TEXTQ" -q quantize "$TMP/good.textq" --calib tests/data/textdet --num 2 --diag-num 0 -o "$TMP/int8.textq" > /dev/null || fail "good quantize"
expect_error "quantize an INT8 model" 1 "already INT8" -- "$TEXTQ" quantize "$TMP/int8.textq" --calib tests/data/textdet -o "$TMP/q.textq"
[ ! -e "$TMP/q.textq" ] || fail "a refused quantize left a model file"

# --- wrong flags
expect_error "unknown flag" 1 "usage" -- "$TEXTQ" detect "$TMP/good.textq" tests/data/textdet/img3.jpg --no-such-flag
expect_error "bad --mmocr" 1 "usage" -- "$TEXTQ" convert "$NET/r50w4_caffe_0x.pth" -o "$TMP/x.textq" --mmocr 2
expect_error "bad --size" 1 "--size" -- "$TEXTQ" bench "$TMP/good.textq" --size 100x33

finish "all bad-input cases refused cleanly"
