#!/usr/bin/env bash
# A detached podman container through skiff-runtime: `run -d`, `exec` into it (output and exit
# code), `stop` delivering SIGTERM, `kill` delivering SIGKILL, `rm` leaving nothing behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peers_lib.sh"
need_root
need_runtime
podman_setup

# A service that says it is ready, and exits 0 on SIGTERM (PID 1 has no default signal actions).
service='trap "echo stopping; exit 0" TERM; echo started >/tmp/ready; echo started; while :; do sleep 0.2; done'
cid=$(pm_run -d --network none "$PODMAN_IMAGE" sh -c "$service") || fail "podman run -d: exit $?"
expect_eq "state after run -d" "$(pm inspect --format '{{.State.Status}}' "$cid")" running

# exec joins the running container: same files, its own exit code, stdin when asked.
wait_until 60 pm exec "$cid" test -f /tmp/ready || fail "the service never got ready"
expect_eq "exec sees the container's files" "$(pm exec "$cid" cat /tmp/ready)" started
expect_eq "exec runs in the container's pid namespace" "$(pm exec "$cid" sh -c 'cat /proc/1/comm')" sh
rc=0; pm exec "$cid" sh -c 'exit 4' || rc=$?
expect_eq "exit code of exec sh -c 'exit 4'" "$rc" 4
expect_eq "exec -i stdin" "$(echo piped | pm exec -i "$cid" cat)" piped

# stop sends SIGTERM; the trap exits 0 well within the 30 s before podman would SIGKILL.
start=$(date +%s)
pm stop -t 30 "$cid" >/dev/null || fail "podman stop: exit $?"
[ $(($(date +%s) - start)) -lt 20 ] || fail "podman stop took until the SIGKILL timeout: SIGTERM not delivered"
expect_eq "state after stop" "$(pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$cid")" "exited 0"
expect_eq "logs" "$(pm logs "$cid" | tr '\n' ' ')" "started stopping "
pm rm "$cid" >/dev/null || fail "podman rm: exit $?"

# kill sends SIGKILL: exit code 128+9.
cid=$(pm_run -d --network none "$PODMAN_IMAGE" sleep 1000) || fail "podman run -d sleep: exit $?"
pm kill "$cid" >/dev/null || fail "podman kill: exit $?"
expect_eq "exit code after kill" "$(pm wait "$cid")" 137
pm rm "$cid" >/dev/null

expect_eq "containers left" "$(pm ps -aq | wc -l)" 0
echo "PASS: podman run -d, exec, stop, kill, rm through $SKIFF_RUNTIME"
