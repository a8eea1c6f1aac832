#!/usr/bin/env bash
# `ctr run -t` through skiff-runtime: the shim hands the runtime a console socket, the shell
# gets the pty, typed input is echoed and run, and the exit code comes back.
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
expect_eq "containers left" "$(cr containers ls -q | wc -l)" 0
echo "PASS: ctr run -t through $SKIFF_RUNTIME"
