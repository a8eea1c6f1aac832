#!/usr/bin/env bash
# `podman run -it` through skiff-runtime: the container gets a terminal (console socket), what
# the user types is echoed and run, and the shell's exit code comes back through the terminal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peers_lib.sh"
need_root
need_cmd script
need_runtime
podman_setup

# `script` gives podman a terminal of its own; we type into it through a FIFO, each line only
# once the output shows the shell is ready, so nothing depends on sleeps.
out="$SKIFF_TMP/tty.out"
mkfifo "$SKIFF_TMP/tty.in"
printf -v cmd '%q ' "${PODMAN[@]}" run "${PODMAN_RUN_FLAGS[@]}" -it --rm --network none \
  "$PODMAN_IMAGE" sh
timeout 60 script -qefc "$cmd" /dev/null <"$SKIFF_TMP/tty.in" >"$out" 2>&1 &
pid=$!
exec 3>"$SKIFF_TMP/tty.in"

# wait_for TEXT: until the terminal output contains TEXT (20 s at most).
wait_for() {
  local i
  for i in $(seq 200); do
    grep -qF -- "$1" "$out" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  fail "terminal never showed '$1'; it shows: $(cat -v "$out")"
}

wait_for '/ # '
# Only the shell's output, not the echo of the typed line, contains "42 on".
printf 'echo $((6*7)) on $(tty) $([ -t 0 ] && echo as-stdin)\n' >&3
wait_for '42 on /dev/pts/'
printf 'exit 5\n' >&3
exec 3>&-
rc=0; wait "$pid" || rc=$?

text=$(tr -d '\r' <"$out")
expect_contains "typed command echoed by the terminal" "$text" 'echo $((6*7)) on $(tty)'
expect_contains "command output on the container's pty" "$text" "42 on /dev/pts/0 as-stdin"
expect_eq "exit code through the terminal" "$rc" 5
expect_eq "containers left" "$(pm ps -aq | wc -l)" 0
echo "PASS: podman run -it through $SKIFF_RUNTIME"
