#!/usr/bin/env bash
# The OCI config podman writes is honoured by skiff-runtime: user, hostname, read-only root,
# bind mounts, capabilities, seccomp, no_new_privs, memory and pids limits, and pause/unpause.
# Each is checked where a user would see it: inside the container or in its cgroups.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peers_lib.sh"
need_root
need_runtime
podman_setup
run() { pm_run --rm --network none "$@"; }

expect_eq "--user" "$(run --user 65534:65534 "$PODMAN_IMAGE" sh -c 'echo $(id -u):$(id -g)')" 65534:65534
expect_eq "--hostname" "$(run --hostname skiffy "$PODMAN_IMAGE" hostname)" skiffy

# --read-only: the root is read-only, podman's tmpfs on /tmp is not.
out=$(run --read-only "$PODMAN_IMAGE" sh -c 'touch /x 2>&1; touch /tmp/y && echo tmp-ok')
expect_contains "--read-only root" "$out" "Read-only file system"
expect_contains "--read-only keeps /tmp writable" "$out" tmp-ok

# A bind mount, both ways; and a read-only one.
mkdir "$SKIFF_TMP/data" && echo from-host >"$SKIFF_TMP/data/in"
expect_eq "bind mount read" "$(run -v "$SKIFF_TMP/data:/data" "$PODMAN_IMAGE" sh -c 'cat /data/in; echo from-container >/data/out')" from-host
expect_eq "bind mount write" "$(cat "$SKIFF_TMP/data/out")" from-container
out=$(run -v "$SKIFF_TMP/data:/data:ro" "$PODMAN_IMAGE" sh -c '{ echo x >/data/in; } 2>/dev/null || echo refused')
expect_contains "read-only bind mount" "$out" refused

# Capabilities: exactly what was asked for (CAP_NET_BIND_SERVICE is bit 10).
expect_eq "--cap-drop ALL --cap-add NET_BIND_SERVICE" \
  "$(run --cap-drop ALL --cap-add NET_BIND_SERVICE "$PODMAN_IMAGE" sh -c 'grep ^CapEff /proc/self/status | cut -f2')" \
  0000000000000400
expect_eq "--cap-drop ALL leaves none" \
  "$(run --cap-drop ALL "$PODMAN_IMAGE" sh -c 'grep ^CapBnd /proc/self/status | cut -f2')" 0000000000000000
# podman's default seccomp profile is loaded (mode 2, filter); unconfined turns it off.
expect_eq "default seccomp filter" "$(run "$PODMAN_IMAGE" sh -c 'grep ^Seccomp: /proc/self/status | cut -f2')" 2
expect_eq "seccomp=unconfined" \
  "$(run --security-opt seccomp=unconfined "$PODMAN_IMAGE" sh -c 'grep ^Seccomp: /proc/self/status | cut -f2')" 0
expect_eq "no-new-privileges" \
  "$(run --security-opt no-new-privileges "$PODMAN_IMAGE" sh -c 'grep ^NoNewPrivs: /proc/self/status | cut -f2')" 1

# Limits land in the container's cgroups, read from the host.
cid=$(pm_run -d --network none --memory 64m --pids-limit 42 "$PODMAN_IMAGE" sleep 1000) ||
  fail "podman run -d with limits: exit $?"
pid=$(pm inspect --format '{{.State.Pid}}' "$cid")
# cgroup_file CONTROLLER FILE: FILE in the v1 CONTROLLER cgroup of the container's init.
cgroup_file() {
  local path
  path=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
  [ -n "$path" ] || fail "container init $pid is in no $1 cgroup: $(cat "/proc/$pid/cgroup")"
  cat "/sys/fs/cgroup/$1$path/$2"
}
expect_eq "--memory 64m" "$(cgroup_file memory memory.limit_in_bytes)" 67108864
expect_eq "--pids-limit 42" "$(cgroup_file pids pids.max)" 42
case "$(cgroup_file memory cgroup.procs)" in *"$pid"*) ;; *) fail "init $pid not in its memory cgroup" ;; esac

# pause freezes every process of the container, unpause thaws them.
pm pause "$cid" >/dev/null || fail "podman pause: exit $?"
expect_eq "state after pause" "$(pm inspect --format '{{.State.Status}}' "$cid")" paused
expect_eq "freezer state" "$(cgroup_file freezer freezer.state)" FROZEN
pm unpause "$cid" >/dev/null || fail "podman unpause: exit $?"
expect_eq "state after unpause" "$(pm inspect --format '{{.State.Status}}' "$cid")" running
expect_eq "freezer state after unpause" "$(cgroup_file freezer freezer.state)" THAWED
expect_eq "exec after unpause" "$(pm exec "$cid" echo alive)" alive
pm rm -f -t 0 "$cid" >/dev/null
echo "PASS: podman's config honoured by $SKIFF_RUNTIME"
