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
"$SKIFF_VMM" --rootfs "$root" -- /bin/sleep 2 &
pid=$!
cleanup "kill $pid 2>/dev/null"
sleep 0.5
mode=$(awk '/^Seccomp:/ {print $2}' "/proc/$pid/status")
[ "$mode" = 2 ] || fail "skiff-vmm Seccomp: $mode, want 2 (filter)"
echo "ok: Seccomp: $mode"
wait "$pid" || fail "sleep under the filter failed"
echo "ok: guest ran to the end under the filter"
