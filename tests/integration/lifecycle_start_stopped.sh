#!/bin/bash
# start on a stopped container (created, then its init killed) is refused like runc.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" true
id=$(new_id startstopped)
rt create --bundle "$B" "$id"
rt kill "$id" KILL
wait_until 30 status_is "$id" stopped || fail "$id never stopped: $(rt state "$id" 2>&1)"
[ "$(rt_status "$id")" = stopped ] || fail "not stopped: $(rt state "$id")"
expect_fail "cannot start a container that has stopped" rt start "$id"
rt delete "$id"
assert_nothing_left "$id" "$B"
# A container that ran to completion is stopped too.
id=$(new_id ranout)
rt run --keep --bundle "$B" "$id"
expect_fail "cannot start a container that has stopped" rt start "$id"
rt delete "$id"
echo "PASS: lifecycle_start_stopped"
