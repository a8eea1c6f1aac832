#!/bin/bash
# A failing hook fails the command, naming the hook, and create undoes everything: the init
# (already in its namespaces and cgroup, rootfs mounted) is killed and reaped.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" true
for phase in prestart createRuntime createContainer; do
  edit_config "$B" "del(.hooks) | .hooks.$phase=[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"echo hook-said-no >&2; exit 4\"]}]"
  id=$(new_id hook)
  expect_fail "$phase hook #0 (/bin/sh): exit status 4" rt create --bundle "$B" "$id"
  assert_nothing_left "$id" "$B"
  expect_fail "hook-said-no" rt run --bundle "$B" "$id"
  assert_nothing_left "$id" "$B"
done

# poststop: the container is gone, but delete reports the failure.
edit_config "$B" 'del(.hooks) | .hooks.poststop=[{"path":"/bin/false"}]'
id=$(new_id poststop)
rt run --keep --bundle "$B" "$id"
expect_fail "poststop hook #0 (/bin/false)" rt delete "$id"
assert_nothing_left "$id" "$B"
echo "PASS: lifecycle_failing_hook"
