#!/usr/bin/env bash
# A detached containerd task through skiff-runtime: `ctr run -d`, `ctr task exec` (output, exit
# code), `ctr task kill` with SIGTERM and with SIGKILL, then delete leaving nothing behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peers_lib.sh"
need_root
need_runtime
containerd_setup

# task_status ID: RUNNING, STOPPED, ... as `ctr task ls` shows it.
task_status() { cr task ls | awk -v id="$1" '$1 == id {print $3}'; }
# wait_stopped ID: until the task has exited (30 s at most).
stopped() { [ "$(task_status "$1")" = STOPPED ]; }
wait_stopped() {
  wait_until 30 stopped "$1" && return 0
  fail "task $1 still $(task_status "$1") 30 s after the signal"
}

service='trap "exit 0" TERM; echo started >/tmp/ready; while :; do sleep 0.2; done'
cr_run -d --null-io "$CTR_IMAGE" svc sh -c "$service" >/dev/null || fail "ctr run -d: exit $?"
expect_eq "status after run -d" "$(task_status svc)" RUNNING

probe=0
ready() { probe=$((probe + 1)); cr_exec --exec-id "probe$probe" svc test -f /tmp/ready; }
wait_until 60 ready || fail "the service never got ready"
expect_eq "exec sees the container's files" "$(cr_exec --exec-id e1 svc cat /tmp/ready)" started
expect_eq "exec in the container's pid namespace" "$(cr_exec --exec-id e2 svc cat /proc/1/comm)" sh
rc=0; cr_exec --exec-id e3 svc sh -c 'exit 4' || rc=$?
expect_eq "exit code of exec sh -c 'exit 4'" "$rc" 4
grep -q -- " exec .*--detach.* svc\$" "$CTR_RUNTIME_LOG" || fail "exec not through $SKIFF_RUNTIME"

# SIGTERM reaches the trap: a clean exit, which `ctr task delete` does not complain about.
cr task kill svc || fail "ctr task kill: exit $?"
wait_stopped svc
out=$(cr task delete svc 2>&1) || fail "ctr task delete svc: $out"
[[ $out != *"non-zero exit code"* ]] || fail "SIGTERM'd service did not exit 0: $out"
cr containers delete svc

# SIGKILL: exit code 128+9.
cr_run -d --null-io "$CTR_IMAGE" victim sleep 1000 >/dev/null || fail "ctr run -d sleep: exit $?"
cr task kill -s SIGKILL victim || fail "ctr task kill -s SIGKILL: exit $?"
wait_stopped victim
out=$(cr task delete victim 2>&1) || fail "ctr task delete victim: $out"
expect_contains "exit status after SIGKILL" "$out" "exit code 137"
cr containers delete victim

grep -q -- " kill victim 9\$" "$CTR_RUNTIME_LOG" || fail "SIGKILL not sent through $SKIFF_RUNTIME"
expect_eq "tasks left" "$(cr task ls -q | wc -l)" 0
expect_eq "containers left" "$(cr containers ls -q | wc -l)" 0
[ -z "$(ls -A "$CTR_DIR/runtime-root/$CTR_NS" 2>/dev/null)" ] ||
  fail "runtime state left: $(ls "$CTR_DIR/runtime-root/$CTR_NS")"
echo "PASS: ctr run -d, task exec, kill, delete through $SKIFF_RUNTIME"
