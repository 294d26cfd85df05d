# Sourced by bench/*.sh (not a benchmark itself): the full-size TextSnake R50
# models the speed benchmarks share. Random weights (speed does not depend on
# them) from scripts/textsnake_torch.py, made once per work directory.
# Needs TEXTQ (the binary), WORK (the directory) and REPO (this checkout);
# python is /usr/bin/python3 with torch.
#   make_r50_models   -> $WORK/r50.pth, $WORK/r50.textq (FP32), $WORK/r50_int8.textq
#                        (INT8, calibrated on 4 images of tests/data/textdet),
#                        $WORK/r50_int8_fold.textq (the same with quantize --fold-head)
make_r50_models() {
  if [ ! -f "$WORK/r50.textq" ]; then
    /usr/bin/python3 "$REPO/scripts/textsnake_torch.py" make --out "$WORK/r50.pth" --depth 50 --width 64 --neck-out 32
    "$TEXTQ" convert "$WORK/r50.pth" -o "$WORK/r50.textq" -q
  fi
  [ -f "$WORK/r50_int8.textq" ] ||
    "$TEXTQ" quantize "$WORK/r50.textq" --calib "$REPO/tests/data/textdet" --num 4 -o "$WORK/r50_int8.textq" -q
  [ -f "$WORK/r50_int8_fold.textq" ] ||
    "$TEXTQ" quantize "$WORK/r50.textq" --calib "$REPO/tests/data/textdet" --num 4 --fold-head \
      -o "$WORK/r50_int8_fold.textq" -q
}
