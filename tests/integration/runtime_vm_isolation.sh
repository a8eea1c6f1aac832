#!/bin/bash
# The isolation annotation: an unknown value is an error naming the annotation and leaves
# nothing behind (no state dir, cgroup, mount or process); "container" runs as usual. vm mode
# itself is covered by runtime_vm_mode.sh.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" true
id=$(new_id iso)
edit_config "$B" '.annotations["run.skiff.isolation"]="kata"'
expect_fail "run.skiff.isolation" rt create --bundle "$B" "$id"
assert_nothing_left "$id" "$B"
edit_config "$B" '.annotations["run.skiff.isolation"]="container"'
rt run --bundle "$B" "$id" || fail "isolation=container"
echo "PASS: runtime_vm_isolation"
