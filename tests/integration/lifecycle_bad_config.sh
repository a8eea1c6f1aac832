#!/bin/bash
# A malformed config.json: the error names the JSON path (or the syntax error position), and
# create leaves nothing behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" true
id=$(new_id badcfg)
edit_config "$B" '.process.user.uid="zero"'
expect_fail "process.user.uid" rt create --bundle "$B" "$id"
assert_nothing_left "$id" "$B"

echo '{"ociVersion": "1.0.2", "process": {' >"$B/config.json"
expect_fail "config.json" rt run --bundle "$B" "$id"
assert_nothing_left "$id" "$B"

rm "$B/config.json"
expect_fail "config.json" rt create --bundle "$B" "$id"
assert_nothing_left "$id" "$B"
echo "PASS: lifecycle_bad_config"
