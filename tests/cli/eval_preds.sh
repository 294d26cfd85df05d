#!/bin/sh
# CLI check of `textq dataset ctw1500` and `textq eval --preds` on the
# ctw1500-mini fixtures. Usage: sh tests/cli/eval_preds.sh path/to/textq
# Expected numbers are MMOCR's own (shared/ref/README.md; tests/data/eval).
set -u
TEXTQ=${1:?usage: eval_preds.sh TEXTQ_BINARY}
MINI=tests/data/datasets/ctw1500-mini
PREDS=tests/data/eval/ctw1500_mini_preds.json
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 1. converter output is byte-identical to MMOCR's converters
"$TEXTQ" dataset ctw1500 "$MINI" -o "$TMP/out" > "$TMP/log" 2>&1 || fail "dataset ctw1500: $(cat "$TMP/log")"
for f in instances_training.json instances_test.json textdet_train.json textdet_test.json; do
  cmp -s "$TMP/out/$f" "$MINI/$f" || fail "$f differs from MMOCR's"
done

# 2. MMOCR 0.x table on the 0.x json, best at thr 0.70
"$TEXTQ" eval --preds "$PREDS" --ann "$MINI/instances_test.json" --metric mmocr0 --report-json "$TMP/r.json" \
  > "$TMP/e0" 2>&1 || fail "eval mmocr0: $(cat "$TMP/e0")"
grep -qx "thr 0.30, recall: 0.571, precision: 0.571, hmean: 0.571" "$TMP/e0" || fail "mmocr0 thr 0.30 line: $(cat "$TMP/e0")"
grep -qx "thr 0.90, recall: 0.429, precision: 0.750, hmean: 0.545" "$TMP/e0" || fail "mmocr0 thr 0.90 line"
grep -q "^best (mmocr0): thr 0.70, recall: 0.5714, precision: 0.8000, hmean: 0.6667 (gt: 7, det: 5" "$TMP/e0" \
  || fail "mmocr0 best line: $(cat "$TMP/e0")"
grep -q '"hmean": 0.6666666666666666' "$TMP/r.json" || fail "report json"

# 3. MMOCR 1.x on the 1.x json (### ignored)
"$TEXTQ" eval --preds "$PREDS" --ann "$MINI/textdet_test.json" --metric mmocr1 > "$TMP/e1" 2>&1 || fail "eval mmocr1"
grep -qx "prediction score threshold: 0.30, recall: 0.8000, precision: 0.5714, hmean: 0.6667" "$TMP/e1" \
  || fail "mmocr1 thr 0.30 line: $(cat "$TMP/e1")"

# 4. bad inputs: exit code 2 and a message naming the problem
sed 's/"1002.jpg"/"9999.jpg"/' "$PREDS" > "$TMP/unknown.json"
"$TEXTQ" eval --preds "$TMP/unknown.json" --ann "$MINI/textdet_test.json" > "$TMP/x" 2>&1
rc=$?; [ $rc -ne 0 ] || fail "unknown image accepted"
grep -q "9999.jpg is not in" "$TMP/x" || fail "unknown image message: $(cat "$TMP/x")"
printf '{"format":"textq-predictions","version":1,"predictions":[{"img_path":"1001.jpg","polygons":[[1,2,3,4,5]],"scores":[0.5]}]}' > "$TMP/odd.json"
"$TEXTQ" eval --preds "$TMP/odd.json" --ann "$MINI/textdet_test.json" > "$TMP/x" 2>&1
[ $? -eq 2 ] || fail "odd coordinate count: wrong exit code"
grep -q "polygon 0: odd number of coordinates (5)" "$TMP/x" || fail "odd message: $(cat "$TMP/x")"
"$TEXTQ" eval --preds "$MINI/textdet_test.json" --ann "$MINI/textdet_test.json" > "$TMP/x" 2>&1
[ $? -eq 2 ] || fail "wrong format accepted"
echo "eval_preds: ok"
