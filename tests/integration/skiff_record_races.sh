#!/usr/bin/env bash
# A record that says "running" while its monitor and container are dead must not hang the
# command that finds it so under the record lock. `start` checks the record first and then
# takes the lock; another start that won in between and whose monitor then died (SIGKILL, a
# crash) leaves exactly that. The test builds that interleaving with the record lock held
# from here, then checks that start reconciles the record (exit 255) and starts the container.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/skiff_common.bash"
need_cmd flock
skiff_load_busybox

name=dead-mon-$$
id=$(sk create --name "$name" busybox sleep 1000)
dir=$SK_ROOT/containers/$id
ino=$(stat -c %i "$dir")
# Who waits for the record lock (lines "N: -> FLOCK ... PID MAJ:MIN:INODE ...").
lock_waiters() { awk -v ino="$ino" '$2 == "->" && $7 ~ (":" ino "$") {print $6}' /proc/locks; }
waiting() { [ -n "$(lock_waiters)" ]; }
# A waiter that never gets the lock would hang the cleanup's rm -f too.
cleanup 'for p in $(lock_waiters); do kill -9 "$p"; done'

exec {lk}<"$dir"
flock -x "$lk"
timeout 60 "$SKIFF_CLI" --root "$SK_ROOT" --runroot "$SK_RUNROOT" start "$name" >"$SKIFF_TMP/start.out" 2>&1 &
start=$!
wait_until 60 waiting || fail "start never waited for the record lock"
# The winner of the race: its record says running, its monitor and container are gone.
jq '.State = "running" | .Pid = 999999999' "$dir/container.json" >"$SKIFF_TMP/rec" && mv "$SKIFF_TMP/rec" "$dir/container.json"
flock -u "$lk"
exec {lk}<&-

rc=0
wait "$start" || rc=$?
if [ "$rc" = 124 ]; then
  for p in $(lock_waiters); do kill -9 "$p"; done
  fail "start hung on a running record whose monitor is dead (the record lock taken twice)"
fi
[ "$rc" = 0 ] || fail "start: exit $rc: $(cat "$SKIFF_TMP/start.out")"
expect_eq "start output" "$(cat "$SKIFF_TMP/start.out")" "$name"
expect_eq "running again" "$(sk inspect -f '{{.State.Status}}' "$name")" running
alive "$(sk inspect -f '{{.State.Pid}}' "$name")" || fail "container not running after start"
sk rm -f "$name" >/dev/null
expect_eq "records" "$(records)" 0
expect_eq "runtime state cleaned" "$(runtime_states)" 0

# An attached container's monitor.lock stays held until its exit is recorded: free, it tells
# every other command that nobody watches, and a start then would launch a container whose
# runtime state the late record_exit removes. The record lock held from here stops
# record_exit halfway; the monitor lock must still be taken then.
name=attached-$$
id=$(sk create --name "$name" busybox sh -c 'while [ ! -e /tmp/go ]; do sleep 0.02; done; exit 7')
dir=$SK_ROOT/containers/$id
ino=$(stat -c %i "$dir")
"$SKIFF_CLI" --root "$SK_ROOT" --runroot "$SK_RUNROOT" start -a "$name" >/dev/null 2>&1 &
att=$!
running() { [ "$(sk inspect -f '{{.State.Status}}' "$name")" = running ]; }
wait_until 60 running || fail "attached container never ran"
pid=$(sk inspect -f '{{.State.Pid}}' "$name")
exec {lk}<"$dir"
flock -x "$lk"
touch "/proc/$pid/root/tmp/go"
wait_until 60 waiting || fail "the attached start never came to record the exit"
free=0
flock -n "$dir/monitor.lock" true && free=1
flock -u "$lk"
exec {lk}<&-
rc=0
wait "$att" || rc=$?
[ "$free" = 0 ] || fail "monitor.lock was free before the exit was recorded"
[ "$rc" = 7 ] || fail "start -a: exit $rc, want 7"
expect_eq "exit code recorded" "$(sk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name")" "exited 7"
sk rm "$name" >/dev/null
echo "PASS: skiff record lock races"
