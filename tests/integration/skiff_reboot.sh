#!/usr/bin/env bash
# After a crash or reboot: the monitor and the container are gone and --runroot is wiped (it is
# a tmpfs on a real host). `ps` must show the container as exited, not running, without
# leaving runtime state or cgroups behind, and the container must start again. And a monitor killed on
# its own leaves a container that still runs and can still be stopped and removed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/skiff_common.bash"
skiff_load_busybox

id=$(sk run -d --name survivor busybox sh -c 'echo before; sleep 1000')
wait_until 30 logs_have survivor before || fail "survivor never wrote its line"
pid=$(sk inspect -f '{{.State.Pid}}' survivor)
mon=$(fuser "$SK_ROOT/containers/$id/monitor.lock" 2>/dev/null | tr -d ' ')
[ -n "$mon" ] && kill -0 "$pid" || fail "monitor ($mon) or container ($pid) not running"

# The "reboot": everything dies at once, the runtime's state with it.
kill -9 "$mon" "$pid"
wait_until 30 not alive "$pid" || fail "container $pid survived SIGKILL"
wait_until 30 not alive "$mon" || fail "monitor $mon survived SIGKILL"
rm -rf "$SK_RUNROOT"
# The simulation keeps the container's cgroups (a real reboot takes them, a wiped runroot or
# a crashed runtime state does not): ps removes them through the runtime library.
[ "$(cgroup_dirs_of "$id")" -gt 0 ] || fail "the container had no cgroup to leave behind"
expect_contains "ps -a after the reboot" "$(sk ps -a)" "Exited (255)"
expect_eq "cgroups after the reboot" "$(cgroup_dirs_of "$id")" 0
expect_eq "ps shows it not running" "$(sk ps -q | wc -l)" 0
expect_eq "state after the reboot" "$(sk inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Pid}}' survivor)" \
  "exited false 0"
expect_eq "logs kept" "$(sk logs survivor)" "before"
# The real reboot also takes the overlay mount; start mounts it again.
umount "$SK_ROOT/containers/$id/rootfs"
expect_eq "start after the reboot" "$(sk start survivor)" "survivor"
expect_eq "running again" "$(sk inspect -f '{{.State.Status}}' survivor)" "running"
sk rm -f survivor >/dev/null

# Monitor killed alone: the runtime still has the container running.
id=$(sk run -d --name orphan busybox sleep 1000)
pid=$(sk inspect -f '{{.State.Pid}}' orphan)
mon=$(fuser "$SK_ROOT/containers/$id/monitor.lock" 2>/dev/null | tr -d ' ')
kill -9 "$mon"
wait_until 30 not alive "$mon" || fail "monitor $mon survived SIGKILL"
expect_eq "running without a monitor" "$(sk inspect -f '{{.State.Status}}' orphan)" "running"
sk stop -t 1 orphan >/dev/null
alive "$pid" && fail "stop left the container running"
expect_eq "stopped without a monitor" "$(sk inspect -f '{{.State.Status}}' orphan)" "exited"
expect_eq "runtime state cleaned" "$(runtime_states)" 0
sk rm orphan >/dev/null

# An --rm container found dead is removed, not shown.
id=$(sk run -d --rm busybox sleep 1000)
pid=$(sk inspect -f '{{.State.Pid}}' "$id")
mon=$(fuser "$SK_ROOT/containers/$id/monitor.lock" 2>/dev/null | tr -d ' ')
kill -9 "$mon" "$pid"
wait_until 30 not alive "$pid" || fail "container $pid survived SIGKILL"
wait_until 30 not alive "$mon" || fail "monitor $mon survived SIGKILL"
rm -rf "$SK_RUNROOT"
expect_eq "ps -a after the reboot of an --rm container" "$(sk ps -aq | wc -l)" 0
expect_eq "cgroups of the --rm container" "$(cgroup_dirs_of "$id")" 0
expect_eq "records" "$(records)" 0
expect_eq "mounts" "$(mounts_under_root)" 0
echo "PASS: skiff after a reboot"
