#!/bin/bash
# A hook that runs past its timeout is killed and fails create; nothing is left behind (the
# hook process included).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" true
# A duration of this test's own, so the check below cannot see another job's sleep.
secs="30.$$"
edit_config "$B" '.hooks.prestart=[{"path":"/bin/sleep","args":["sleep","'"$secs"'"],"timeout":1}]'
id=$(new_id hooktimeout)
start=$(date +%s)
expect_fail "hook ran past specified timeout of 1.0s" rt create --bundle "$B" "$id"
# Well short of the hook's 30 s even when the machine is loaded.
[ $(( $(date +%s) - start )) -lt 20 ] || fail "timeout not honoured"
assert_nothing_left "$id" "$B"
! pgrep -xf "sleep $secs" >/dev/null || fail "hook process left running"
echo "PASS: lifecycle_hook_timeout"
