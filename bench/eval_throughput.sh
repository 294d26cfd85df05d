#!/bin/sh
# End-to-end images/s of `textq eval --model` on 736x1280-class images (the
# ten 1280x720 photos of tests/data/photos/icdar2015, copied COPIES times:
# network input 736x1312) for FP32, bf16 and INT8, each next to its network
# alone (`textq bench` of that model only at the same size, 8 warm-up runs,
# just before its eval). Reading,
# preprocessing and decoding run beside the network; eval's last line says how
# close the pipeline gets to the network stage it ran, and the script's last
# three lines compare it with the network timed alone.
#
#   sh bench/eval_throughput.sh [--textq build/textq] [--work DIR] [--threads 2] [--copies 4]
#
# Models: DIR/r50.textq and DIR/r50_int8h.textq (bench/lib/r50_models.sh, made
# once and shared with bench/compare_speed.sh: same default DIR, /tmp/textq_speed).
set -eu
TEXTQ=build/textq
WORK=/tmp/textq_speed
THREADS=2
COPIES=4
while [ $# -gt 0 ]; do
  case "$1" in
    --textq) TEXTQ=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --copies) COPIES=$2; shift 2 ;;
    *) echo "eval_throughput.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done
REPO=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$WORK"
. "$REPO/bench/lib/r50_models.sh"
make_r50_models

# COPIES x the ten photos, each copy under its own name, with one annotation entry each.
DATA="$WORK/ic15x$COPIES"
mkdir -p "$DATA/imgs/test"
/usr/bin/python3 - "$REPO/tests/data/photos/icdar2015" "$DATA" "$COPIES" <<'EOF'
import json, os, shutil, sys
src, out, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
ann = json.load(open(os.path.join(src, 'textdet_test.json')))
entries = []
for k in range(copies):
    for e in ann['data_list']:
        name = 'c%d_%s' % (k, os.path.basename(e['img_path']))
        shutil.copyfile(os.path.join(src, os.path.basename(e['img_path'])), os.path.join(out, 'imgs', 'test', name))
        entries.append(dict(e, img_path='imgs/test/' + name))
ann['data_list'] = entries
json.dump(ann, open(os.path.join(out, 'ann.json'), 'w'))
EOF

# bf16 only where the CPU has it (AVX-512 BF16 / AMX): elsewhere textq refuses it.
MODELS="r50.textq:fp32:fp32 r50.textq:bf16:bf16 r50_int8h.textq:fp32:int8"
rm -f "$WORK"/tp_fp32.* "$WORK"/tp_bf16.* "$WORK"/tp_int8.*
REFUSAL=$(bf16_refusal)
if [ -n "$REFUSAL" ]; then
  echo "eval_throughput.sh: no bf16 on this CPU ($REFUSAL); skipping it" >&2
  MODELS="r50.textq:fp32:fp32 r50_int8h.textq:fp32:int8"
fi
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
for m in $MODELS; do
  m=$(echo "$m" | tr ':' ' ')
  set -- $m
  # The network alone, this model only, in the minute before its eval.
  "$TEXTQ" bench "$WORK/$1" --precision "$2" --size 736x1312 --threads "$THREADS" --runs 5 --warmup 8 -q \
    --json "$WORK/tp_$3.json" > /dev/null
  echo "== eval --model $1 --precision $2 (load $(cut -d' ' -f1 /proc/loadavg))"
  "$TEXTQ" eval --model "$WORK/$1" --precision "$2" --ann "$DATA/ann.json" --img-root "$DATA" --threads "$THREADS" -q \
    2>&1 > /dev/null | grep -E '^(detection:|pipeline )' | tee "$WORK/tp_$3.txt"
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
# End to end against the network timed alone (bench above): the rate a
# pipeline that hid all other work behind the network would reach.
/usr/bin/python3 - "$WORK" <<'PY'
import json, os, re, statistics, sys
work = sys.argv[1]
for name in ('fp32', 'bf16', 'int8'):
    if not os.path.exists('%s/tp_%s.json' % (work, name)):  # bf16 on a CPU without it
        continue
    alone = statistics.median(json.load(open('%s/tp_%s.json' % (work, name)))['samples_ms'])
    m = re.search(r'pipeline .*?: ([0-9.]+) images/s end to end', open('%s/tp_%s.txt' % (work, name)).read())
    if m:
        e2e = float(m.group(1))
        print('%s: %.2f images/s end to end, network alone %.1f ms (%.2f images/s): %.3f of the network-alone rate'
              % (name, e2e, alone, 1000.0 / alone, e2e * alone / 1000.0))
PY
