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

# A start finding monitor.lock held while the record says exited waits for the holder: the
# previous monitor between recording the exit and its own exit, or another command's probe
# (monitor_alive takes a shared lock for a moment). Either used to fail the start with
# "already running". A holder of the test's own stands in for them.
name=restart-$$
id=$(sk run -d --name "$name" busybox echo ran)
wait_until 60 state_is "$name" exited || fail "first run of $name never exited"
lockf=$SK_ROOT/containers/$id/monitor.lock
wait_until 30 eval '[ -z "$(fuser "$lockf" 2>/dev/null)" ]' || fail "the first monitor never let go"
mkfifo "$SKIFF_TMP/release"
exec {rel}<>"$SKIFF_TMP/release"
flock -s -o "$lockf" sh -c 'echo locked; read x' <"$SKIFF_TMP/release" >"$SKIFF_TMP/holder.out" &
holder=$!
wait_until 30 grep -q locked "$SKIFF_TMP/holder.out" || fail "could not hold $lockf"
"$SKIFF_CLI" --root "$SK_ROOT" --runroot "$SK_RUNROOT" start "$name" >"$SKIFF_TMP/restart.out" 2>&1 &
st=$!
# The new monitor has the file open (and waits), or the start is over.
waiting_monitor() { fuser "$lockf" 2>/dev/null | tr -s ' ' '\n' | grep -qvx -e "$holder" -e ''; }
seen_or_done() { waiting_monitor || ! kill -0 "$st" 2>/dev/null; }
wait_until 60 seen_or_done || true
echo go >&"$rel"
wait "$holder" || true
exec {rel}>&-
rc=0
wait "$st" || rc=$?
[ "$rc" = 0 ] || fail "start while monitor.lock was held for a moment: exit $rc: $(cat "$SKIFF_TMP/restart.out")"
two_runs() { [ "$(sk logs "$name" | grep -c '^ran$')" = 2 ]; }
wait_until 60 two_runs || fail "the container did not run again: $(sk logs "$name")"
sk rm -f "$name" >/dev/null
echo "PASS: skiff record lock races"
