#!/usr/bin/env bash
# `podman run -it` and `podman exec -it` through skiff-runtime: the process gets a terminal
# (console socket), what the user types is echoed and run, and the shell's exit code comes back
# through the terminal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peers_lib.sh"
need_root
need_cmd script
need_runtime
podman_setup

tty_start "${PODMAN[@]}" run "${PODMAN_RUN_FLAGS[@]}" -it --rm --network none "$PODMAN_IMAGE" sh
tty_wait_for '/ # '
tty_type 'echo $((6*7)) on $(tty) $([ -t 0 ] && echo as-stdin)'
tty_wait_for '42 on /dev/pts/'
tty_type 'exit 5'
tty_finish

expect_contains "typed command echoed by the terminal" "$TTY_TEXT" 'echo $((6*7)) on $(tty)'
expect_contains "command output on the container's pty" "$TTY_TEXT" "42 on /dev/pts/0 as-stdin"
expect_eq "exit code through the terminal" "$TTY_RC" 5

# exec -it into a running container: a second console, its own exit code.
cid=$(pm_run -d --network none "$PODMAN_IMAGE" sleep 1000) || fail "podman run -d: exit $?"
# run -d returns once the container is released: its exec of sleep follows.
wait_until 60 eval '[ "$(pm exec "$cid" cat /proc/1/comm)" = sleep ]' || fail "pid 1 never became sleep"
tty_start "${PODMAN[@]}" exec -it "$cid" sh
tty_wait_for '/ # '
tty_type 'echo $((7*6)) exec on $(tty) $([ -t 0 ] && echo as-stdin) pid1=$(cat /proc/1/comm)'
tty_wait_for '42 exec on /dev/pts/'
tty_type 'exit 7'
tty_finish
expect_contains "exec output on its pty" "$TTY_TEXT" "42 exec on /dev/pts/"
expect_contains "exec tty is stdin, in the container" "$TTY_TEXT" "as-stdin pid1=sleep"
expect_eq "exit code of exec -it" "$TTY_RC" 7
pm rm -f -t 0 "$cid" >/dev/null

expect_eq "containers left" "$(pm ps -aq | wc -l)" 0
echo "PASS: podman run -it and exec -it through $SKIFF_RUNTIME"
