#!/bin/bash
# pause freezes every process of the container (the freezer cgroup), state says paused, and
# resume thaws them; both refuse the wrong state like runc.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/counter; sleep 0.02; done'
edit_config "$B" '.root.readonly=false'
id=$(new_id pause)
rt run -d --pid-file "$SKIFF_TMP/pid" --bundle "$B" "$id"
pid=$(cat "$SKIFF_TMP/pid")
counter() { cat "/proc/$pid/root/tmp/counter" 2>/dev/null; }
counting() { [ -n "$(counter)" ]; }
wait_until 30 counting || fail "the container never wrote its counter"
expect_fail "container not paused" rt resume "$id"
rt pause "$id"
[ "$(rt_status "$id")" = paused ] || fail "state after pause: $(rt state "$id")"
rt list | grep -q "^$id .* paused " || fail "list after pause: $(rt list)"
expect_fail "container not running" rt pause "$id"
a=$(cat /proc/$pid/root/tmp/counter); sleep 0.3; b=$(cat /proc/$pid/root/tmp/counter)
[ "$a" = "$b" ] || fail "counter moved while paused ($a -> $b)"
grep -q '^State:.*[DS]' /proc/$pid/status || true
rt resume "$id"
[ "$(rt_status "$id")" = running ] || fail "state after resume: $(rt state "$id")"
moved() { local c; c=$(counter); [ -n "$c" ] && [ "$c" != "$b" ]; }
wait_until 30 moved || fail "counter did not move after resume"
# A paused container can be killed and deleted with --force.
rt pause "$id"
rt delete --force "$id"
assert_nothing_left "$id" "$B"
echo "PASS: runtime_pause_resume"
