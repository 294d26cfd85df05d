# Sourced by bench/*.sh (not a benchmark itself): the full-size TextSnake R50
# models the speed benchmarks share. Random weights (speed does not depend on
# them) from scripts/textsnake_torch.py, made once per work directory.
# Needs TEXTQ (the binary), WORK (the directory) and REPO (this checkout);
# python is /usr/bin/python3 with torch.
#   make_r50_models   -> $WORK/r50.pth, $WORK/r50.textq (FP32), $WORK/r50_int8h.textq
#                        (INT8 as quantize makes it by default, the head folded into
#                        the last deconv; calibrated on 4 images of tests/data/textdet),
#                        $WORK/r50_int8_nofold.textq (the same with --no-fold-head)
#   bf16_refusal      -> prints nothing when textq runs bf16 on this CPU, else its
#                        one-line refusal (no AVX-512 BF16 / AMX); call after make_r50_models
make_r50_models() {
  if [ ! -f "$WORK/r50.textq" ]; then
    /usr/bin/python3 "$REPO/scripts/textsnake_torch.py" make --out "$WORK/r50.pth" --depth 50 --width 64 --neck-out 32
    "$TEXTQ" convert "$WORK/r50.pth" -o "$WORK/r50.textq" -q
  fi
  # (r50_int8h: not the r50_int8.textq of earlier versions, which kept the head unfolded.)
  [ -f "$WORK/r50_int8h.textq" ] ||
    "$TEXTQ" quantize "$WORK/r50.textq" --calib "$REPO/tests/data/textdet" --num 4 -o "$WORK/r50_int8h.textq" -q
  [ -f "$WORK/r50_int8_nofold.textq" ] ||
    "$TEXTQ" quantize "$WORK/r50.textq" --calib "$REPO/tests/data/textdet" --num 4 --no-fold-head \
      -o "$WORK/r50_int8_nofold.textq" -q
}

bf16_refusal() {
  "$TEXTQ" bench "$WORK/r50.textq" --precision bf16 --size 32x32 --runs 1 --warmup 0 -q > /dev/null 2> "$WORK/bf16_probe.txt" ||
    head -1 "$WORK/bf16_probe.txt"
}
