#!/bin/bash
# Container ids with '/' or '..' (or other characters runc refuses) are errors before
# anything is made; they never escape the state root.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" true
for bad in "a/b" ".." "." "../escape" "x y" ""; do
  expect_fail "" rt create --bundle "$B" "$bad"
  err=$(rt create --bundle "$B" "$bad" 2>&1) && fail "create accepted id '$bad'"
  grep -qi "container id" <<<"$err" || fail "error for '$bad' does not name the id: $err"
done
[ ! -e "$SKIFF_TMP/escape" ] || fail "an id escaped the state root"
[ -z "$(ls -A "$RT_ROOT" 2>/dev/null)" ] || fail "state root not empty: $(ls -A "$RT_ROOT")"
expect_fail "invalid container id" rt state "a/b"
echo "PASS: lifecycle_bad_id"
