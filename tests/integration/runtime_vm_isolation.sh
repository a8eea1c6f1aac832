#!/bin/bash
# The isolation annotation: "vm" is refused clearly while this build has no vm handler, an
# unknown value is an error naming the annotation, and neither leaves anything behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" true
id=$(new_id iso)
edit_config "$B" '.annotations["run.skiff.isolation"]="kata"'
expect_fail "run.skiff.isolation" rt create --bundle "$B" "$id"
assert_nothing_left "$id" "$B"
edit_config "$B" '.annotations["run.skiff.isolation"]="vm"'
expect_fail "vm mode: not available" rt run --bundle "$B" "$id"
assert_nothing_left "$id" "$B"
edit_config "$B" '.annotations["run.skiff.isolation"]="container"'
rt run --bundle "$B" "$id" || fail "isolation=container"
echo "PASS: runtime_vm_isolation"
