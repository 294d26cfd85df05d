#!/bin/sh
# Builds every libFuzzer target (clang, -fsanitize=fuzzer,address,undefined)
# and runs each for SECONDS_PER_TARGET seconds, ONE fuzzing process at a time,
# then prints: parser | executions | minutes | crashes/hangs found.
#
#   nice -n 19 sh scripts/run_fuzzers.sh [SECONDS_PER_TARGET]   (default 60)
#
# Environment: FUZZ_BUILD (default build-fuzz), FUZZERS (space-separated
# subset, e.g. "npy pth"), FUZZ_JOBS (build jobs, default 1).
# The growing corpus lives in $FUZZ_BUILD/fuzz/corpus/<parser> (seeded from
# tests/fuzz/corpus/<parser> and tests/fuzz/regressions/<parser>); crashers,
# leaks, timeouts and OOMs land in $FUZZ_BUILD/fuzz/artifacts/<parser>/.
# Copy a crasher to tests/fuzz/regressions/<parser>/ once fixed: the
# test_fuzz_replay suite replays it on every `make test`. See docs/fuzzing.md.
set -u
SECONDS_PER_TARGET=${1:-60}
BUILD=${FUZZ_BUILD:-build-fuzz}
JOBS=${FUZZ_JOBS:-1}
ALL="npy pth pickle model_file predictions mmocr_json ctw1500_xml ctw1500_txt totaltext_txt icdar2015_txt image_header image_size jpeg_decode onnx"
FUZZERS=${FUZZERS:-$ALL}

# -max_len per parser: a bit above the largest seed.
max_len() {
  case $1 in
    pth|predictions) echo 20000 ;;
    pickle|mmocr_json|model_file|onnx) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

if ! command -v clang++ > /dev/null || [ -z "$(clang++ -print-file-name=libclang_rt.fuzzer-x86_64.a | grep /)" ]; then
  echo "run_fuzzers: needs clang with libFuzzer (Debian: apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
        -DTEXTQ_BUILD_FUZZERS=ON -DTEXTQ_BUILD_TESTS=OFF || exit 1
fi
targets=""
for p in $FUZZERS; do targets="$targets fuzz_$p"; done
cmake --build "$BUILD" -j "$JOBS" --target $targets make_fuzz_seeds || exit 1
if [ ! -e tests/fuzz/corpus/model_file/tiny_fp32.textq ]; then
  mkdir -p tests/fuzz/corpus/model_file && "$BUILD/make_fuzz_seeds" tests/fuzz/corpus/model_file || exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
OUT="$BUILD/fuzz"
table="$OUT/summary.txt"
printf '%-14s | %12s | %7s | %s\n' parser executions minutes "crashes/hangs found" > "$table"
status=0
for p in $FUZZERS; do
  corpus="$OUT/corpus/$p" art="$OUT/artifacts/$p" log="$OUT/logs/$p.log"
  mkdir -p "$corpus" "$art" "$OUT/logs" "tests/fuzz/regressions/$p"
  before=$(ls "$art" | wc -l)
  start=$(date +%s)
  "$OUT/fuzz_$p" -max_len="$(max_len "$p")" -rss_limit_mb=2048 -timeout=10 -max_total_time="$SECONDS_PER_TARGET" \
      -print_final_stats=1 -artifact_prefix="$art/" "$corpus" "tests/fuzz/corpus/$p" "tests/fuzz/regressions/$p" \
      > "$log" 2>&1
  code=$?
  end=$(date +%s)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  found=$(( $(ls "$art" | wc -l) - before ))
  what=$(ls -t "$art" | head -n "$found" | sed 's/-.*//' | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')
  [ "$code" -ne 0 ] && [ "$found" -eq 0 ] && what="exit $code (see $log)"
  [ "$code" -ne 0 ] && status=1
  printf '%-14s | %12s | %7s | %s\n' "$p" "${execs:-?}" "$(awk -v s=$((end - start)) 'BEGIN { printf "%.1f", s / 60 }')" \
      "${found}${what:+ ($what)}" >> "$table"
done
cat "$table"
exit $status
