#!/bin/sh
# Side-by-side speed of the full-size TextSnake R50 (random weights; speed does
# not depend on them): textq FP32, bf16, INT8 (quantize's default: the head folded
# into the last deconv) and INT8 with quantize --no-fold-head,
# and optionally ncnn FP32 and
# INT8 on the same graph, in rounds that alternate textq and ncnn so every
# engine sees the same machine state. Within a round each model runs in its
# own process (warm-up, then the timed runs), the way benchncnn times ncnn's:
# an earlier version alternated textq's four models run by run in one
# process, so each INT8 run started with the caches full of FP32 / bf16
# weights while ncnn's INT8 ran warm (docs/backends.md, Performance).
# Prints one table with medians, ratios, the load average and textq's peak RSS.
#
#   sh bench/compare_speed.sh [--textq build/textq] [--work DIR] [--ncnn-build DIR]
#                             [--threads 2] [--size 736x1280] [--rounds 3] [--runs 3] [--busy N]
#
# --ncnn-build DIR: an ncnn build tree (tools/onnx/onnx2ncnn, tools/ncnnoptimize,
#   tools/quantize/ncnn2table + ncnn2int8, benchmark/benchncnn). ncnn is not part
#   of textq: build it yourself, outside this repository, for comparison only
#   (https://github.com/Tencent/ncnn; cmake -DNCNN_VULKAN=OFF -DNCNN_BUILD_TOOLS=ON).
#   Its models come from the same checkpoint: textsnake_torch.py export-onnx ->
#   onnx2ncnn -> ncnnoptimize (FP32, Winograd on at run time); ncnn2table (KL,
#   the calibration images textq uses) -> ncnn2int8 (INT8). Recent ncnn trees
#   keep tools/onnx/onnx2ncnn.cpp but no longer build it: compile it with
#   protoc (onnx.proto) and libprotobuf into DIR/tools/onnx/onnx2ncnn.
#   Both engines use libgomp and run with the same wait policy: the one textq
#   starts with (OMP_WAIT_POLICY=PASSIVE, GOMP_SPINCOUNT=1000) unless the
#   policy is set. With
#   libgomp's spinning default ncnn collapses on a loaded machine (R50 INT8,
#   load ~5: 2871 ms vs 892 ms passive), which would flatter textq.
# Warm-up: 8 untimed runs per model and round for both engines (benchncnn's
#   fixed count). On this VM both get slower runs for ~2 s after a process
#   starts (textq R50 INT8: runs 2-5 ~230 ms, then ~185 ms; not page faults,
#   not the wait policy), so one warm-up run would measure that phase.
# --busy N: N busy-loop processes run beside the benchmark (the "loaded" case).
# Models are made once in --work (default /tmp/textq_speed); python is /usr/bin/python3 with torch.
set -eu
TEXTQ=build/textq
WORK=/tmp/textq_speed
NCNN=
THREADS=2
SIZE=736x1280
ROUNDS=3
RUNS=3
BUSY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --textq) TEXTQ=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --ncnn-build) NCNN=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --busy) BUSY=$2; shift 2 ;;
    *) echo "compare_speed.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done
REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
H=${SIZE%x*}
W=${SIZE#*x}
mkdir -p "$WORK"

# --- models --------------------------------------------------------------
. "$REPO/bench/lib/r50_models.sh"
make_r50_models
if [ -n "$NCNN" ] && [ ! -f "$WORK/r50_ncnn_int8.param" ]; then
  "$PY" "$REPO/scripts/textsnake_torch.py" export-onnx --ckpt "$WORK/r50.pth" --out "$WORK/r50.onnx" --size "$SIZE"
  "$NCNN/tools/onnx/onnx2ncnn" "$WORK/r50.onnx" "$WORK/r50_raw.param" "$WORK/r50_raw.bin"
  "$NCNN/tools/ncnnoptimize" "$WORK/r50_raw.param" "$WORK/r50_raw.bin" "$WORK/r50_ncnn.param" "$WORK/r50_ncnn.bin" 0
  ls "$REPO"/tests/data/textdet/*.jpg | head -4 > "$WORK/calib.txt"
  # MMOCR's normalisation: RGB pixels, mean (123.675, 116.28, 103.53), 1 / std.
  "$NCNN/tools/quantize/ncnn2table" "$WORK/r50_ncnn.param" "$WORK/r50_ncnn.bin" "$WORK/calib.txt" "$WORK/r50_ncnn.table" \
    "mean=[123.675,116.28,103.53]" "norm=[0.017125,0.017507,0.017429]" "shape=[$W,$H,3]" pixel=RGB thread="$THREADS" method=kl
  "$NCNN/tools/quantize/ncnn2int8" "$WORK/r50_ncnn.param" "$WORK/r50_ncnn.bin" "$WORK/r50_ncnn_int8.param" \
    "$WORK/r50_ncnn_int8.bin" "$WORK/r50_ncnn.table"
fi

# bf16 only where the CPU has it (AVX-512 BF16 / AMX): elsewhere textq refuses it.
MODELS="fp32:r50.textq bf16:r50.textq@bf16 int8:r50_int8h.textq int8nofold:r50_int8_nofold.textq"
REFUSAL=$(bf16_refusal)
if [ -n "$REFUSAL" ]; then
  echo "compare_speed.sh: no bf16 on this CPU ($REFUSAL); skipping it" >&2
  MODELS="fp32:r50.textq int8:r50_int8h.textq int8nofold:r50_int8_nofold.textq"
fi

# --- optional load -------------------------------------------------------
BUSY_PIDS=
cleanup() { for p in $BUSY_PIDS; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
i=0
while [ "$i" -lt "$BUSY" ]; do
  sh -c 'while :; do :; done' &
  BUSY_PIDS="$BUSY_PIDS $!"
  i=$((i + 1))
done

# --- rounds --------------------------------------------------------------
LOG="$WORK/rounds.txt"
: > "$LOG"
rm -f "$WORK"/fp32_[0-9]*.json "$WORK"/bf16_[0-9]*.json "$WORK"/int8_[0-9]*.json "$WORK"/int8nofold_[0-9]*.json
r=1
# ncnn gets what textq sets for itself (apps/cli/omp_wait_policy.cpp).
if [ -n "${OMP_WAIT_POLICY:-}" ]; then NCNN_OMP="OMP_WAIT_POLICY=$OMP_WAIT_POLICY"
else NCNN_OMP="OMP_WAIT_POLICY=PASSIVE GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-1000}"; fi
while [ "$r" -le "$ROUNDS" ]; do
  echo "load $(cut -d' ' -f1 /proc/loadavg)" >> "$LOG"
  # Each model in its own process after its own warm-up, as benchncnn runs
  # ncnn's: every engine is timed in its steady state, and the rounds
  # alternate the engines.
  for m in $MODELS; do
    "$TEXTQ" bench "$WORK/${m#*:}" --size "$SIZE" --threads "$THREADS" --runs "$RUNS" --warmup 8 -q \
      --json "$WORK/${m%%:*}_$r.json" > "$WORK/textq_${m%%:*}_$r.txt"
  done
  echo "load $(cut -d' ' -f1 /proc/loadavg)" >> "$LOG"
  if [ -n "$NCNN" ]; then
    for m in r50_ncnn r50_ncnn_int8; do
      env $NCNN_OMP "$NCNN/benchmark/benchncnn" "$RUNS" "$THREADS" 0 -1 0 "param=$WORK/$m.param" "shape=[$W,$H,3]" 2>&1 |
        sed -n "s/.*min = *\([0-9.]*\) *max = *\([0-9.]*\) *avg = *\([0-9.]*\).*/$m \1 \2 \3/p" >> "$LOG"
    done
    echo "load $(cut -d' ' -f1 /proc/loadavg)" >> "$LOG"
  fi
  r=$((r + 1))
done

# --- table ---------------------------------------------------------------
"$PY" - "$WORK" "$ROUNDS" "$THREADS" "$SIZE" "$BUSY" <<'EOF'
import json, os, statistics, sys
work, rounds, threads, size, busy = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
samples = {'textq FP32': [], 'textq bf16': [], 'textq INT8': [], 'textq INT8 --no-fold-head': [], 'ncnn FP32': [],
           'ncnn INT8': []}
rss, loads, kernels = {}, [], {}
for r in range(1, rounds + 1):
    for key, name in (('textq FP32', 'fp32'), ('textq bf16', 'bf16'), ('textq INT8', 'int8'),
                      ('textq INT8 --no-fold-head', 'int8nofold')):
        path = '%s/%s_%d.json' % (work, name, r)
        if not os.path.exists(path):  # bf16 on a CPU without it
            continue
        j = json.load(open(path))
        samples[key] += j['samples_ms']
        rss[name] = max(rss.get(name, 0), j['peak_rss_mb'])
        # a node run inside another's step ("post-op of X", "fused into X") has no kernel of its own
        kernels[key] = sorted({l['impl'] for l in j['layers']
                               if not l['impl'].startswith(('post-op of ', 'fused into '))})
for line in open(work + '/rounds.txt'):
    f = line.split()
    if f[0] == 'load':
        loads.append(float(f[1]))
    elif f[0] in ('r50_ncnn', 'r50_ncnn_int8'):
        # benchncnn prints min/max/avg of its loop: the average stands for the round
        samples['ncnn FP32' if f[0] == 'r50_ncnn' else 'ncnn INT8'].append(float(f[3]))
med = {k: statistics.median(v) for k, v in samples.items() if v}
print('TextSnake R50 1x3x%s, %s threads, %d alternating rounds, %s busy-loop processes beside, load average %.2f-%.2f, '
      'OMP_WAIT_POLICY %s, GOMP_SPINCOUNT %s for both engines'
      % (size, threads, rounds, busy, min(loads), max(loads), os.environ.get('OMP_WAIT_POLICY', 'PASSIVE'),
         os.environ.get('GOMP_SPINCOUNT', 'libgomp default' if os.environ.get('OMP_WAIT_POLICY') else '1000')))
print('| engine | median ms | samples |')
print('|---|---|---|')
for k in samples:
    if k in med:
        print('| %s | %.1f | %s |' % (k, med[k], ' '.join('%.0f' % s for s in samples[k])))
def ratio(a, b):
    return '%.3f' % (med[a] / med[b]) if a in med and b in med else 'n/a'
F = 'textq INT8 --no-fold-head'
print('ratios: textq FP32 / ncnn FP32 %s | textq bf16 / textq FP32 %s | textq INT8 / ncnn INT8 %s (--no-fold-head %s) | '
      'textq INT8 / textq FP32 %s (--no-fold-head %s)'
      % (ratio('textq FP32', 'ncnn FP32'), ratio('textq bf16', 'textq FP32'), ratio('textq INT8', 'ncnn INT8'),
         ratio(F, 'ncnn INT8'), ratio('textq INT8', 'textq FP32'), ratio(F, 'textq FP32')))
print('textq peak RSS (each model in its own process): ' + ', '.join(
    '%s %.0f MB' % (label, rss[name]) for label, name in (('FP32', 'fp32'), ('bf16', 'bf16'), ('INT8', 'int8'),
                                                           ('INT8 --no-fold-head', 'int8nofold')) if name in rss))
for k, v in kernels.items():
    print('%s kernels: %s' % (k, ', '.join(v)))
EOF
