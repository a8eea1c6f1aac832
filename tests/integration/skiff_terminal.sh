#!/usr/bin/env bash
# `skiff run -it` and `skiff exec -it` on a real terminal (`script`): the process has the pty as
# its stdin and controlling terminal, what is typed reaches it, its exit code comes back; a
# detached -dit container keeps its shell alive and logs its terminal output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peers_lib.sh"
. "$(dirname "$0")/skiff_common.bash"
need_cmd script
skiff_load_busybox

tty_start "$SKIFF_CLI" --root "$SK_ROOT" --runroot "$SK_RUNROOT" run -it --rm busybox sh
tty_wait_for '/ # '
tty_type 'echo $((6*7)) on $(tty) $([ -t 0 ] && echo as-stdin) TERM=$TERM'
tty_wait_for '42 on /dev/'
tty_type 'exit 5'
tty_finish
expect_contains "run -it output" "$TTY_TEXT" "42 on /dev/pts/0 as-stdin TERM=xterm"
expect_eq "run -it exit code" "$TTY_RC" 5

# -t without -i: a terminal, no input.
out=$(script -qec "$SKIFF_CLI --root $SK_ROOT --runroot $SK_RUNROOT run -t --rm busybox sh -c 'tty; [ -t 1 ] && echo out-tty'" /dev/null </dev/null | tr -d '\r')
expect_contains "run -t" "$out" "out-tty"

# -dit: the shell waits on its terminal; exec -it joins it.
id=$(sk run -dit --name shell busybox sh)
expect_eq "detached -it shell runs" "$(sk inspect -f '{{.State.Status}}' shell)" "running"
# run -d returns once the container is released: its exec of sh follows.
wait_until 30 eval '[ "$(sk exec shell cat /proc/1/comm)" = sh ]' || fail "pid 1 never became sh"
tty_start "$SKIFF_CLI" --root "$SK_ROOT" --runroot "$SK_RUNROOT" exec -it shell sh
tty_wait_for '/ # '
tty_type 'echo $((7*6)) exec on $(tty) pid1=$(cat /proc/1/comm)'
tty_wait_for '42 exec on /dev/pts/'
tty_type 'exit 7'
tty_finish
expect_contains "exec -it output" "$TTY_TEXT" "42 exec on /dev/pts/"
expect_contains "exec -it in the container" "$TTY_TEXT" "pid1=sh"
expect_eq "exec -it exit code" "$TTY_RC" 7
wait_until 30 logs_have shell "/ # " || fail "the detached terminal's prompt is not logged: $(sk logs shell)"
sk rm -f shell >/dev/null
expect_rc "-it without a terminal" 125 sk run -it --rm busybox true </dev/null
expect_eq "nothing left" "$(records) $(mounts_under_root) $(runtime_states)" "0 0 0"
echo "PASS: skiff run -it, exec -it, run -dit"
