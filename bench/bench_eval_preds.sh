#!/bin/sh
# Benchmark of `textq eval --preds` on the full CTW1500 test labels (500 images,
# 3075 jittered predictions, the "ctw1500-all-jitter" golden case that MMOCR
# scored). Usage: sh bench/bench_eval_preds.sh build/textq [RUNS]
set -eu
TEXTQ=${1:?usage: bench_eval_preds.sh TEXTQ [RUNS]}
RUNS=${2:-10}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
/usr/bin/python3 - "$TMP/preds.json" <<'PY'
import json, sys
doc = json.load(open("tests/data/eval/hmean_cases.json"))
case = next(c for c in doc["cases"] if c["name"] == "ctw1500-all-jitter")
ann = json.load(open("tests/data/eval/ctw1500_textdet_test.json"))
images = ann["data_list"]
preds = []
for idx, polys, scores in ([p[0], p[1], p[2]] for p in case["preds"]):
    img = images[idx]
    preds.append({"img_path": img["img_path"], "width": img["width"], "height": img["height"],
                  "polygons": polys, "scores": scores})
json.dump({"format": "textq-predictions", "version": 1, "model": "bench", "predictions": preds},
          open(sys.argv[1], "w"))
print(f"{len(preds)} images, {sum(len(p['polygons']) for p in preds)} predictions", file=sys.stderr)
PY
for metric in mmocr0 mmocr1; do
  best=""
  i=0
  while [ $i -lt "$RUNS" ]; do
    s=$(date +%s%N)
    "$TEXTQ" -q eval --preds "$TMP/preds.json" --ann tests/data/eval/ctw1500_textdet_test.json --metric $metric > "$TMP/out"
    e=$(date +%s%N)
    echo "$(( (e - s) / 1000000 ))" >> "$TMP/times_$metric"
    i=$((i + 1))
  done
  sort -n "$TMP/times_$metric" | awk -v m=$metric '{a[NR]=$1} END {printf "eval --preds %s: %d runs, median %d ms, min %d ms, max %d ms (whole process: load json + score)\n", m, NR, a[int((NR+1)/2)], a[1], a[NR]}'
done
tail -1 "$TMP/out"
