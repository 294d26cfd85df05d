#!/bin/sh
# The textq program runs OpenMP with OMP_WAIT_POLICY=PASSIVE and a spin count
# of 1000 unless the user set the policy (apps/cli/omp_wait_policy.cpp); a
# spin count the user set is kept. libgomp's own report of what it read
# (OMP_DISPLAY_ENV=verbose) tells: with neither variable set libgomp shows
# PASSIVE too but spins 300000 times at each barrier. The program restarts
# once to apply the policy, so the last report is the one the run used.
# Usage: sh tests/cli/omp_wait_policy.sh path/to/textq
set -u
TEXTQ=${1:?usage: omp_wait_policy.sh TEXTQ_BINARY}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. tests/cli/lib/checks.sh

last_report() {  # NAME: the last value libgomp printed for NAME during `textq --version`
  grep -h "^ *$1 = " "$TMP/err" | tail -n 1 | sed "s/.* = '\(.*\)'/\1/"
}
run_version() {
  env "$@" OMP_DISPLAY_ENV=verbose "$TEXTQ" --version > "$TMP/out" 2> "$TMP/err" ||
    fail "textq --version failed: $(cat "$TMP/err")"
}

run_version -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT
[ "$(last_report OMP_WAIT_POLICY)" = PASSIVE ] && [ "$(last_report GOMP_SPINCOUNT)" = 1000 ] ||
  fail "unset: libgomp ran with $(grep -E 'WAIT_POLICY|SPINCOUNT' "$TMP/err" | tr -s ' ' | tr '\n' ';'), expected PASSIVE, spin count 1000"
run_version -u OMP_WAIT_POLICY GOMP_SPINCOUNT=0
[ "$(last_report OMP_WAIT_POLICY)" = PASSIVE ] && [ "$(last_report GOMP_SPINCOUNT)" = 0 ] ||
  fail "the user's spin count 0 was not kept: $(grep -E 'WAIT_POLICY|SPINCOUNT' "$TMP/err" | tr -s ' ' | tr '\n' ';')"
run_version -u GOMP_SPINCOUNT OMP_WAIT_POLICY=ACTIVE
[ "$(last_report OMP_WAIT_POLICY)" = ACTIVE ] ||
  fail "the user's ACTIVE was not kept: $(grep -E 'WAIT_POLICY' "$TMP/err" | tr -s ' ' | tr '\n' ';')"
[ "$(grep -c "OMP_WAIT_POLICY = " "$TMP/err")" -eq 1 ] || fail "the program restarted although the user set the policy"
echo "wait policy: PASSIVE (spin count 1000) by default, the user's values kept"
