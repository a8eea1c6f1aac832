#!/bin/bash
# delete refuses a running (or paused) container without --force and keeps it intact;
# --force kills it and removes everything; delete --force of a missing container succeeds.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" sleep 1000
id=$(new_id delrunning)
rt run -d --bundle "$B" "$id"
expect_fail "cannot delete container $id that is not stopped: running" rt delete "$id"
[ "$(rt_status "$id")" = running ] || fail "refused delete changed the container"
rt pause "$id"
expect_fail "that is not stopped: paused" rt delete "$id"
rt delete --force "$id"
assert_nothing_left "$id" "$B"
expect_fail "container does not exist" rt delete "$id"
rt delete --force "$id" || fail "delete --force of a missing container must succeed"
echo "PASS: lifecycle_delete_running"
