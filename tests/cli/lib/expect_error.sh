# Counting error-case helpers sourced by tests/cli/*.sh (not a test itself):
# every case runs and reports, the script ends with `finish`. Set TMP first;
# set NO_OUTPUT to a path that no refused command may leave behind.
#   fail MESSAGE                               count a failure and go on
#   expect_error NAME CODE PATTERN... -- CMD... CMD must exit CODE with ONE
#       stderr line matching every PATTERN (grep -E), and leave no NO_OUTPUT
#   finish SUMMARY                             exit 1 if anything failed
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

expect_error() {
  name=$1 want=$2
  shift 2
  patterns=""
  while [ "$1" != "--" ]; do
    patterns="$patterns
$1"
    shift
  done
  shift
  [ -z "${NO_OUTPUT:-}" ] || rm -f "$NO_OUTPUT"
  "$@" > "$TMP/out" 2> "$TMP/err"
  code=$?
  [ "$code" -eq "$want" ] || fail "$name: exit code $code, expected $want (stderr: $(cat "$TMP/err"))"
  lines=$(wc -l < "$TMP/err")
  [ "$lines" -eq 1 ] || fail "$name: expected one stderr line, got $lines: $(cat "$TMP/err")"
  # a here-document, not a pipe: fail must run in this shell to count
  while IFS= read -r p; do
    [ -z "$p" ] && continue
    grep -Eq -- "$p" "$TMP/err" || fail "$name: stderr lacks /$p/: $(cat "$TMP/err")"
  done <<PATTERNS
$patterns
PATTERNS
  [ -z "${NO_OUTPUT:-}" ] || [ ! -e "$NO_OUTPUT" ] || fail "$name: left $NO_OUTPUT"
  echo "ok   $name: $(cat "$TMP/err")"
}

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
  fi
  echo "$1"
}
