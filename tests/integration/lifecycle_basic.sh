#!/bin/bash
# The OCI lifecycle through skiff-runtime: create -> created -> start -> running -> kill ->
# stopped -> delete; run in the foreground with the container's exit code (and 128+signal);
# run -d; and nothing left behind after each.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" sleep 1000
id=$(new_id basic)

rt create --bundle "$B" --pid-file "$SKIFF_TMP/pid" "$id"
[ "$(rt_status "$id")" = created ] || fail "after create: $(rt state "$id")"
pid=$(cat "$SKIFF_TMP/pid")
[ "$(rt state "$id" | jq -r .pid)" = "$pid" ] || fail "pid file $pid differs from state"
[ "$(rt state "$id" | jq -r .bundle)" = "$(readlink -f "$B")" ] || fail "bundle in state"
[ "$(rt state "$id" | jq -r .rootfs)" = "$(readlink -f "$B/rootfs")" ] || fail "rootfs in state"
# The init waits for start and has not exec'd the process yet.
grep -q sleep /proc/"$pid"/cmdline && fail "process ran before start"
rt list | grep -q "^$id .* created " || fail "list does not show created: $(rt list)"

rt start "$id"
[ "$(rt_status "$id")" = running ] || fail "after start: $(rt state "$id")"
# start returns once the init is released; its exec of the process follows.
wait_until 30 grep -q sleep /proc/"$pid"/cmdline || fail "pid $pid is not the container's process"
expect_fail "cannot start an already running container" rt start "$id"

rt kill "$id" KILL
wait_until 30 status_is "$id" stopped || fail "$id never stopped: $(rt state "$id" 2>&1)"
[ "$(rt_status "$id")" = stopped ] || fail "after kill: $(rt state "$id")"
[ "$(rt state "$id" | jq -r .pid)" = 0 ] || fail "stopped container shows a pid"
expect_fail "container not running" rt kill "$id"
rt delete "$id"
expect_fail "container does not exist" rt state "$id"
assert_nothing_left "$id" "$B"
echo "ok: create/start/kill/delete"

# run: exit codes pass through; killed by a signal -> 128+signal; deleted afterwards.
edit_config "$B" '.process.args=["sh","-c","echo out; echo err >&2; exit 7"]'
id=$(new_id run)
rc=0; out=$(rt run --bundle "$B" "$id" 2>"$SKIFF_TMP/err") || rc=$?
[ "$rc" = 7 ] || fail "run exit code $rc, want 7"
[ "$out" = out ] || fail "run stdout: $out"
grep -q '^err$' "$SKIFF_TMP/err" || fail "run stderr: $(cat "$SKIFF_TMP/err")"
assert_nothing_left "$id" "$B"

edit_config "$B" '.process.args=["sh","-c","trap \"\" TERM; kill -9 $$; sleep 5"] | .linux.namespaces |= map(select(.type != "pid"))'
id=$(new_id sig)
rc=0; rt run --bundle "$B" "$id" || rc=$?
[ "$rc" = 137 ] || fail "killed container: exit $rc, want 137"
assert_nothing_left "$id" "$B"
echo "ok: run exit codes"

# run forwards signals to the container.
make_bundle "$SKIFF_TMP/b2" sh -c 'trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.05; done'
id=$(new_id fwd)
"$SKIFF_RUNTIME" --root "$RT_ROOT" run --bundle "$SKIFF_TMP/b2" "$id" >"$SKIFF_TMP/fwd.out" &
runpid=$!
# TERM before the trap is set would be ignored by the container's pid 1 and hang the test.
wait_until 60 grep -q ready "$SKIFF_TMP/fwd.out" || fail "$id never set its trap: $(rt state "$id" 2>&1)"
kill -TERM $runpid
rc=0; wait $runpid || rc=$?
[ "$rc" = 3 ] || fail "forwarded TERM: exit $rc, want 3"
grep -q got-term "$SKIFF_TMP/fwd.out" || fail "container did not see TERM"
assert_nothing_left "$id" "$SKIFF_TMP/b2"
echo "ok: run forwards signals"

# run -d returns at once and leaves a running container; --keep keeps a stopped one.
edit_config "$B" '.process.args=["sleep","1000"]'
id=$(new_id detach)
rt run -d --bundle "$B" "$id"
[ "$(rt_status "$id")" = running ] || fail "run -d: $(rt state "$id")"
expect_fail "cannot delete container $id that is not stopped: running" rt delete "$id"
rt delete --force "$id"
assert_nothing_left "$id" "$B"
edit_config "$B" '.process.args=["true"]'
id=$(new_id keep)
rt run --keep --bundle "$B" "$id"
[ "$(rt_status "$id")" = stopped ] || fail "run --keep: $(rt state "$id")"
rt delete "$id"
assert_nothing_left "$id" "$B"
echo "ok: run -d, --keep"
echo "PASS: lifecycle_basic"
