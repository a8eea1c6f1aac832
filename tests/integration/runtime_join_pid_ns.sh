#!/bin/bash
# A container that joins another's pid namespace by path (linux.namespaces [{type: pid, path:
# /proc/N/ns/pid}]). setns(CLONE_NEWPID) only moves the caller's future children, so the init
# forks once more into the namespace: B's process must really be in A's pid namespace, see A's
# processes, and `state`, `kill`, `delete` and `run` must follow the process that goes on.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

A="$SKIFF_TMP/a"
make_bundle "$A" sleep 1001
a=$(new_id pid-a)
rt run -d --pid-file "$SKIFF_TMP/a.pid" --bundle "$A" "$a"
apid=$(cat "$SKIFF_TMP/a.pid")
ans=$(readlink /proc/$apid/ns/pid)
# runs PID WORDS: PID has exec'd the command WORDS (run -d and start return before that exec).
runs() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q "$2"; }
wait_until 30 runs "$apid" "sleep 1001" || fail "A never ran sleep 1001"

B="$SKIFF_TMP/b"
make_bundle "$B" sleep 1002
edit_config "$B" '.linux.namespaces |= map(if .type == "pid" then .path = "/proc/'"$apid"'/ns/pid" else . end)'
b=$(new_id pid-b)
rt create --bundle "$B" --pid-file "$SKIFF_TMP/b.pid" "$b"
bpid=$(cat "$SKIFF_TMP/b.pid")
[ "$(rt state "$b" | jq -r .pid)" = "$bpid" ] || fail "state pid $(rt state "$b" | jq -r .pid) differs from pid file $bpid"
[ "$(rt_status "$b")" = created ] || fail "B after create: $(rt state "$b")"
[ "$(readlink /proc/$bpid/ns/pid)" = "$ans" ] || fail "B's init is in $(readlink /proc/$bpid/ns/pid), not A's $ans"
rt start "$b"
[ "$(rt_status "$b")" = running ] || fail "B after start: $(rt state "$b")"
wait_until 30 runs "$bpid" "sleep 1002" || fail "state pid $bpid is not B's process: $(tr '\0' ' ' </proc/$bpid/cmdline)"
# B sees A's processes (A's init is pid 1 there) and itself.
ps_out=$(rt exec "$b" ps -o pid,args)
grep -qE '^ *1 +sleep 1001' <<<"$ps_out" || fail "B does not see A's init as pid 1: $ps_out"
grep -q "sleep 1002" <<<"$ps_out" || fail "B does not see itself: $ps_out"
# ...and A sees B.
rt exec "$a" ps -o args | grep -q "sleep 1002" || fail "A does not see B's process"
echo "ok: create+start joining A's pid namespace"

rt kill "$b" KILL
wait_until 30 status_is "$b" stopped || fail "$b never stopped: $(rt state "$b" 2>&1)"
[ "$(rt_status "$b")" = stopped ] || fail "B after kill: $(rt state "$b")"
rt delete "$b"
assert_nothing_left "$b" "$B"
[ "$(rt_status "$a")" = running ] || fail "A stopped with B: $(rt state "$a")"
echo "ok: kill and delete of B leave A running and nothing of B behind"

# run in the foreground: the runtime waits for the process in the joined namespace (its child
# through CLONE_PARENT) and has reaped the one that forked it.
edit_config "$B" '.process.args=["sleep","1003"]'
b=$(new_id pid-fg)
"$SKIFF_RUNTIME" --root "$RT_ROOT" run --bundle "$B" "$b" &
rtpid=$!
wait_until 30 status_is "$b" running || fail "$b never running: $(rt state "$b" 2>&1)"
[ "$(rt_status "$b")" = running ] || fail "foreground run joining A's pid namespace: $(rt state "$b")"
kids_ok() { kids=$(ps -o pid=,stat=,args= --ppid $rtpid); [ "$(wc -l <<<"$kids")" = 1 ] && grep -q "sleep 1003" <<<"$kids"; }
wait_until 30 kids_ok || fail "children of the foreground run: $kids"
rt kill "$b" TERM
rc=0; wait $rtpid || rc=$?
[ "$rc" = 143 ] || fail "foreground run killed by TERM exited $rc, want 143"
assert_nothing_left "$b" "$B"

# Exit code of the process in the joined namespace, A visible.
edit_config "$B" '.process.args=["sh","-c","ps -o args | grep -q \"sleep 1001\" && exit 3; exit 4"]'
b=$(new_id pid-run)
rc=0; rt run --bundle "$B" "$b" || rc=$?
[ "$rc" = 3 ] || fail "run joining A's pid namespace exited $rc, want 3 (4: A not visible)"
assert_nothing_left "$b" "$B"
echo "ok: run joining A's pid namespace"

rt delete --force "$a"
assert_nothing_left "$a" "$A"
echo "PASS: runtime_join_pid_ns"
