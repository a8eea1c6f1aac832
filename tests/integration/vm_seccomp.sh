#!/usr/bin/env bash
# After set-up skiff-vmm runs under its own seccomp filter (Seccomp: 2 in /proc/PID/status), and
# the filter still lets a full guest run (busybox reads, writes, sleeps, clocks).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vm_common.bash"
need_root
need_vmm
need_cmd busybox

root=$SKIFF_TMP/rootfs
make_busybox_rootfs "$root"
# cat echoes a line and blocks for the next: the filter is checked while the guest runs.
mkfifo "$SKIFF_TMP/in"
exec 7<>"$SKIFF_TMP/in"
# (stdin read-only and without fd 7: closing fd 7 then ends cat's input)
"$SKIFF_VMM" --rootfs "$root" -- /bin/cat <"$SKIFF_TMP/in" 7>&- >"$SKIFF_TMP/out" &
pid=$!
cleanup "kill $pid 2>/dev/null"
echo up >&7
wait_until 60 grep -qs up "$SKIFF_TMP/out" || fail "guest never ran"
mode=$(awk '/^Seccomp:/ {print $2}' "/proc/$pid/status")
[ "$mode" = 2 ] || fail "skiff-vmm Seccomp: $mode, want 2 (filter)"
echo "ok: Seccomp: $mode"
exec 7>&-
wait "$pid" || fail "cat under the filter failed"
# Sleeps and clocks under the filter (every run loads it, as the check above shows).
"$SKIFF_VMM" --rootfs "$root" -- /bin/sleep 1 || fail "sleep under the filter failed"
echo "ok: guest ran to the end under the filter"
