#!/usr/bin/env bash
# `ctr run -t` and `ctr task exec -t` through skiff-runtime: the shim hands the runtime a console
# socket, the shell gets the pty, typed input is echoed and run, and the exit code comes back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peers_lib.sh"
need_root
need_cmd script
need_runtime
containerd_setup

tty_start ctr --address "$CTR_DIR/containerd.sock" --namespace "$CTR_NS" run --rm -t \
  --fifo-dir "$CTR_DIR/fifo" --runc-binary "$CTR_RUNTIME" --runc-root "$CTR_DIR/runtime-root" \
  "$CTR_IMAGE" tty1 sh
tty_wait_for '/ # '
tty_type 'echo $((6*7)) on $(tty) $([ -t 0 ] && echo as-stdin)'
tty_wait_for '42 on /dev/pts/'
tty_type 'exit 6'
tty_finish

expect_contains "typed command echoed by the terminal" "$TTY_TEXT" 'echo $((6*7)) on $(tty)'
expect_contains "command output on the container's pty" "$TTY_TEXT" "42 on /dev/pts/0 as-stdin"
expect_eq "exit code through the terminal" "$TTY_RC" 6
grep -q -- " create .*--console-socket .* tty1\$" "$CTR_RUNTIME_LOG" ||
  fail "no create with a console socket: $(cat "$CTR_RUNTIME_LOG")"

# task exec -t into a running task: a second console, its own exit code.
cr_run -d --null-io "$CTR_IMAGE" tty2 sleep 1000 >/dev/null || fail "ctr run -d: exit $?"
# run -d returns once the container is released: its exec of sleep follows.
probe=0
pid1_sleeps() { probe=$((probe + 1)); [ "$(cr_exec --exec-id "probe$probe" tty2 cat /proc/1/comm)" = sleep ]; }
wait_until 60 pid1_sleeps || fail "pid 1 never became sleep"
tty_start ctr --address "$CTR_DIR/containerd.sock" --namespace "$CTR_NS" task exec -t \
  --fifo-dir "$CTR_DIR/fifo" --exec-id shell tty2 sh
tty_wait_for '/ # '
tty_type 'echo $((7*6)) exec on $(tty) $([ -t 0 ] && echo as-stdin) pid1=$(cat /proc/1/comm)'
tty_wait_for '42 exec on /dev/pts/'
tty_type 'exit 7'
tty_finish
expect_contains "exec output on its pty" "$TTY_TEXT" "42 exec on /dev/pts/"
expect_contains "exec tty is stdin, in the container" "$TTY_TEXT" "as-stdin pid1=sleep"
expect_eq "exit code of task exec -t" "$TTY_RC" 7
grep -q -- " exec .*--console-socket .* tty2\$" "$CTR_RUNTIME_LOG" ||
  fail "no exec with a console socket: $(cat "$CTR_RUNTIME_LOG")"
cr task kill -s SIGKILL tty2
wait_until 30 eval 'cr task delete tty2 >/dev/null 2>&1' || fail "task tty2 not deleted after SIGKILL"
cr containers delete tty2

expect_eq "containers left" "$(cr containers ls -q | wc -l)" 0
echo "PASS: ctr run -t and task exec -t through $SKIFF_RUNTIME"
