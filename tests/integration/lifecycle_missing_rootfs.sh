#!/bin/bash
# root.path that does not exist: "invalid rootfs" naming the path, nothing left behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" true
edit_config "$B" '.root.path="no-such-rootfs"'
id=$(new_id norootfs)
expect_fail "invalid rootfs: stat $(readlink -f "$B")/no-such-rootfs" rt create --bundle "$B" "$id"
assert_nothing_left "$id" "$B"
expect_fail "invalid rootfs" rt run --bundle "$B" "$id"
assert_nothing_left "$id" "$B"
echo "PASS: lifecycle_missing_rootfs"
