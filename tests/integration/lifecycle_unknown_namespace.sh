#!/bin/bash
# An unknown namespace type is refused naming the entry; nothing is left behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" true
edit_config "$B" '.linux.namespaces += [{"type":"foo"}]'
id=$(new_id badns)
expect_fail "linux.namespaces[" rt create --bundle "$B" "$id"
expect_fail "foo" rt run --bundle "$B" "$id"
assert_nothing_left "$id" "$B"
echo "PASS: lifecycle_unknown_namespace"
