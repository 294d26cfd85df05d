# Helpers sourced by tests/cli/*.sh (not a test itself): set TEXTQ and TMP first.
#   fail MESSAGE            print FAIL and exit 1
#   run ARGS...             textq -q ARGS, stdout in $TMP/out; fails the test on error
#   refused PATTERN ARGS... textq -q ARGS must fail with one stderr line matching PATTERN
fail() { echo "FAIL: $*"; exit 1; }
run() { "$TEXTQ" -q "$@" > "$TMP/out" 2> "$TMP/err" || fail "textq $*: $(cat "$TMP/err")"; }
refused() {
  pat=$1; shift
  "$TEXTQ" -q "$@" > "$TMP/out" 2> "$TMP/err" && fail "accepted: textq $*"
  [ "$(wc -l < "$TMP/err")" -eq 1 ] || fail "not one line for textq $*: $(cat "$TMP/err")"
  grep -q -- "$pat" "$TMP/err" || fail "textq $*: expected '$pat', got: $(cat "$TMP/err")"
}
