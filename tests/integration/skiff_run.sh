#!/usr/bin/env bash
# `skiff run` in the foreground: the container's output on our stdout and stderr, its exit code
# as ours (docker's 125/126/127 when it cannot run), the run flags as the process sees them,
# and --rm leaving nothing behind: no record, no mount, no runtime state, no cgroup.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/skiff_common.bash"
skiff_load_busybox

# Output and exit codes.
expect_eq "stdout" "$(sk run --rm busybox echo hello)" "hello"
expect_eq "run by image id" "$(sk run --rm "$(sk images -q busybox | head -1)" echo by-id)" "by-id"
out=$(sk run --rm busybox sh -c 'echo to-out; echo to-err >&2' 2>"$SKIFF_TMP/err")
expect_eq "stdout kept apart" "$out" "to-out"
expect_eq "stderr kept apart" "$(cat "$SKIFF_TMP/err")" "to-err"
expect_rc "exit 0" 0 sk run --rm busybox true
expect_rc "exit 3" 3 sk run --rm busybox sh -c 'exit 3'
# Killed: 128 + the signal, and a signal sent to `skiff run` goes to the container.
sk run --rm --name victim busybox sleep 100 & runpid=$!
wait_until 60 state_is victim running || fail "victim never ran"
sk kill victim >/dev/null
rc=0; wait $runpid || rc=$?
expect_eq "killed by SIGKILL" "$rc" 137
"$SKIFF_CLI" --root "$SK_ROOT" --runroot "$SK_RUNROOT" run --rm --name term busybox \
  sh -c 'trap "exit 42" TERM; echo ready; while true; do sleep 0.1; done' >"$SKIFF_TMP/term.out" & runpid=$!
trap_set() { grep -q ready "$SKIFF_TMP/term.out"; }
wait_until 60 trap_set || fail "the TERM-trapping container never got ready"
kill -TERM $runpid
rc=0; wait $runpid || rc=$?
expect_eq "SIGTERM forwarded to the container" "$rc" 42
expect_rc "command not found" 127 sk run --rm busybox no-such-command
err=$(sk run --rm busybox no-such-command 2>&1) || true
expect_contains "not-found message" "$err" 'exec: "no-such-command": executable file not found in $PATH'
expect_rc "not executable" 126 sk run --rm busybox /etc/passwd
expect_rc "unknown flag" 125 sk run --rm --no-such-flag busybox true
expect_rc "unknown image" 125 sk run --rm no-such-image true
expect_rc "bad memory" 125 sk run --rm --memory lots busybox true
err=$(sk run --rm --memory lots busybox true 2>&1) || true
expect_contains "bad memory message" "$err" "invalid size: 'lots'"
expect_rc "bad volume" 125 sk run --rm -v relative:/x busybox true
expect_rc "bad isolation" 125 sk run --rm --isolation other busybox true
expect_eq "failed runs leave no record" "$(records)" 0

# --rm leaves nothing behind, and neither does a failed start.
expect_eq "records after --rm" "$(records)" 0
expect_eq "mounts after --rm" "$(mounts_under_root)" 0
expect_eq "runtime state after --rm" "$(runtime_states)" 0
expect_eq "names after --rm" "$(find "$SK_ROOT/names" -mindepth 1 | wc -l)" 0

# Without --rm the container stays, exited, with its output in the log.
sk run --name kept busybox sh -c 'echo kept-out; echo kept-err >&2; exit 4' >/dev/null 2>&1 || true
expect_eq "kept container state" "$(sk inspect -f '{{.State.Status}} {{.State.ExitCode}}' kept)" "exited 4"
expect_eq "kept stdout in logs" "$(sk logs kept 2>/dev/null)" "kept-out"
expect_eq "kept stderr in logs" "$(sk logs kept 2>&1 >/dev/null)" "kept-err"
expect_eq "mount of the kept container" "$(mounts_under_root)" 1
expect_eq "runtime state of the exited container" "$(runtime_states)" 0
sk rm kept >/dev/null
expect_eq "mounts after rm" "$(mounts_under_root)" 0
expect_eq "records after rm" "$(records)" 0

# The process as the flags make it.
printf 'FROM_FILE=1\n# comment\n\nBOTH=file\n' >"$SKIFF_TMP/env"
out=$(sk run --rm -e A=1 -e BOTH=flag --env-file "$SKIFF_TMP/env" busybox sh -c 'echo $A $FROM_FILE $BOTH')
expect_eq "-e and --env-file" "$out" "1 1 flag"
export HOST_VAR=from-host
expect_eq "-e NAME takes our value" "$(sk run --rm -e HOST_VAR busybox sh -c 'echo $HOST_VAR')" "from-host"
expect_eq "-u uid:gid" "$(sk run --rm -u 1234:5678 busybox sh -c 'echo $(id -u) $(id -g)')" "1234 5678"
expect_eq "-u name" "$(sk run --rm -u nobody busybox id -un)" "nobody"
expect_eq "-w" "$(sk run --rm -w /made/by/w busybox pwd)" "/made/by/w"
expect_eq "--hostname" "$(sk run --rm --hostname box busybox hostname)" "box"
expect_eq "--entrypoint" "$(sk run --rm --entrypoint echo busybox from entrypoint)" "from entrypoint"
expect_rc "--read-only refuses writes" 1 sk run --rm --read-only busybox touch /file 2>/dev/null
expect_rc "writable without --read-only" 0 sk run --rm busybox touch /file

# -v: a host directory, read-only when asked.
mkdir -p "$SKIFF_TMP/vol"
echo host-data >"$SKIFF_TMP/vol/in"
expect_eq "bind mount read" "$(sk run --rm -v "$SKIFF_TMP/vol:/data" busybox cat /data/in)" "host-data"
sk run --rm -v "$SKIFF_TMP/vol:/data" busybox sh -c 'echo from-ctr >/data/out'
expect_eq "bind mount write reaches the host" "$(cat "$SKIFF_TMP/vol/out")" "from-ctr"
expect_rc ":ro refuses writes" 1 sk run --rm -v "$SKIFF_TMP/vol:/data:ro" busybox sh -c 'echo x >/data/ro' 2>/dev/null
[ ! -e "$SKIFF_TMP/vol/ro" ] || fail ":ro: the write reached the host"

# Resource flags land in the container's cgroup.
sk run -d --name limited --memory 64m --pids-limit 50 --cpus 0.5 busybox sleep 100 >/dev/null
pid=$(sk inspect -f '{{.State.Pid}}' limited)
mem=$(awk -F: '$2=="memory"{print $3}' "/proc/$pid/cgroup")
if [ -n "$mem" ] && [ -f "/sys/fs/cgroup/memory$mem/memory.limit_in_bytes" ]; then
  expect_eq "--memory in the cgroup" "$(cat "/sys/fs/cgroup/memory$mem/memory.limit_in_bytes")" $((64 << 20))
else
  unified=$(awk -F: '$1=="0"{print $3}' "/proc/$pid/cgroup")
  expect_eq "--memory in the cgroup" "$(cat "/sys/fs/cgroup$unified/memory.max")" $((64 << 20))
fi
pids=$(awk -F: '$2=="pids"{print $3}' "/proc/$pid/cgroup")
[ -n "$pids" ] && expect_eq "--pids-limit in the cgroup" "$(cat "/sys/fs/cgroup/pids$pids/pids.max")" 50
expect_eq "inspect HostConfig" "$(sk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}' limited)" \
  "$((64 << 20)) 50 500000000"
id=$(sk inspect -f '{{.Id}}' limited)
sk rm -f limited >/dev/null
expect_eq "cgroup after rm -f" "$(cgroup_dirs_of "$id")" 0
expect_eq "nothing left" "$(records) $(mounts_under_root) $(runtime_states)" "0 0 0"
echo "PASS: skiff run in the foreground"
