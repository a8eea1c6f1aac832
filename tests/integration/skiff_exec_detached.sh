#!/usr/bin/env bash
# `skiff exec -d` and `exec -d -t`, as docker: the CLI returns at once with 0 while the
# process goes on in the container; its output goes nowhere. With -t the process gets a pty
# that nobody reads but that never blocks it (a detached holder keeps the master and discards
# what it shows). `rm -f` leaves none of these processes behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/skiff_common.bash"
need_cmd timeout
skiff_load_busybox

# wait_for WHAT COMMAND...: until COMMAND succeeds, 20 s at most.
wait_for() {
  local what=$1 i
  shift
  for i in $(seq 200); do "$@" && return 0; sleep 0.1; done
  fail "timed out waiting for $what"
}
in_web() { sk exec web test -e "$1"; }
gone() { local p; for p in "$@"; do alive "$p" && return 1; done; return 0; }
# pty_holder N: the pid of the process holding the master of /dev/pts/N as its fd 3 (where
# exec -dt's holder keeps it), by the master's tty-index.
pty_holder() {
  local f p
  for f in /proc/[0-9]*/fdinfo/3; do
    grep -qx "tty-index:[[:space:]]*$1" "$f" 2>/dev/null || continue
    case $(readlink "${f%/fdinfo/3}/fd/3") in /dev/ptmx | /dev/pts/ptmx) ;; *) continue ;; esac
    p=${f#/proc/}; echo "${p%%/*}"
  done
}

id=$(sk run -d --name web busybox sleep 100000)

# The process waits for a file we make only after the CLI returned: a CLI that waited for it
# would hang (and `timeout` fail it).
out=$(timeout 20 "$SKIFF_CLI" --root "$SK_ROOT" --runroot "$SK_RUNROOT" exec -d web \
  sh -c 'echo visible; echo visible >&2; while [ ! -e /tmp/go1 ]; do sleep 0.05; done; echo done >/tmp/d1' 2>&1) ||
  fail "exec -d did not return at once with 0 (rc $?)"
expect_eq "exec -d output" "$out" ""
sk exec web touch /tmp/go1
wait_for "exec -d's file" in_web /tmp/d1
expect_eq "exec -d ran" "$(sk exec web cat /tmp/d1)" "done"

# -dt: the process has a terminal, and writes far more than a pty buffers (80 kB) before it
# leaves its mark: nobody reading the master would block it for ever.
out=$(timeout 20 "$SKIFF_CLI" --root "$SK_ROOT" --runroot "$SK_RUNROOT" exec -dt web \
  sh -c 'tty >/tmp/t2; while [ ! -e /tmp/go2 ]; do sleep 0.05; done
         i=0; while [ $i -lt 2000 ]; do echo "line $i of what nobody reads"; i=$((i+1)); done; echo done >/tmp/d2' 2>&1) ||
  fail "exec -dt did not return at once with 0 (rc $?)"
expect_eq "exec -dt output" "$out" ""
wait_for "exec -dt's tty" in_web /tmp/t2
pts=$(sk exec web cat /tmp/t2)
[[ $pts == /dev/pts/* ]] || fail "exec -dt has no pty: $pts"
holder=$(pty_holder "${pts#/dev/pts/}")
[ -n "$holder" ] || fail "no process holds the master of $pts"
sk exec web touch /tmp/go2
wait_for "exec -dt's file" in_web /tmp/d2
wait_for "the pty's holder to end with the process" gone "$holder"
[ -z "$(ls "$SK_RUNROOT" | grep '\.console$')" ] || fail "console socket left: $(ls "$SK_RUNROOT")"

# Long-running ones of both kinds; then rm -f takes them all, and the pty's holder ends with
# the last slave end.
sk exec -d web sleep 100001
sk exec -dt web sh -c 'tty >/tmp/t3; exec sleep 100002'
wait_for "exec -dt's tty" in_web /tmp/t3
pts=$(sk exec web cat /tmp/t3); pts=${pts#/dev/pts/}
holder=$(pty_holder "$pts")
[ -n "$holder" ] || fail "no process holds the master of /dev/pts/$pts"
cg=$(find /sys/fs/cgroup -maxdepth 3 -type d -name "$id" | head -1)
pids=$(cat "$cg/cgroup.procs")
[ "$(echo "$pids" | wc -w)" -ge 3 ] || fail "container's cgroup has $(echo "$pids" | wc -w) processes, want init and two execs"
sk rm -f web >/dev/null
wait_for "the execs and the pty holder to end" gone $pids "$holder"
expect_eq "runtime state" "$(runtime_states)" 0
echo "PASS: exec -d and exec -dt return at once, run detached, discard output, leave nothing after rm -f"
