# shellcheck shell=bash
# Shared by tests/integration/skiff_*.sh (sourced after lib.sh): the real `skiff` binary with a
# --root and --runroot of the test's own, and the busybox image (images/busybox/build.sh) in it.
# Use it as `sk ARGS...`.
need_root
need_cmd fuser # psmisc: which process holds a monitor.lock
SKIFF_CLI=${SKIFF_CLI:-$SKIFF_BUILD_DIR/runtime/skiff}
[ -x "$SKIFF_CLI" ] || skip "skiff not built ($SKIFF_CLI)"
SK_ROOT=$SKIFF_TMP/root
SK_RUNROOT=$SKIFF_TMP/run
sk() { "$SKIFF_CLI" --root "$SK_ROOT" --runroot "$SK_RUNROOT" "$@"; }

expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
expect_contains() { [[ $2 == *"$3"* ]] || fail "$1: '$3' not in output: $2"; }
# expect_rc WHAT WANT COMMAND...: runs COMMAND, checks its exit code.
expect_rc() {
  local what=$1 want=$2 rc=0
  shift 2
  "$@" || rc=$?
  [ "$rc" = "$want" ] || fail "$what: exit $rc, want $want"
}

# Everything a test's containers may have left: monitors and containers (killed through
# their records), overlays, cgroups named after their ids.
skiff_cleanup() {
  local d id pid
  for d in "$SK_ROOT"/containers/*/; do
    [ -d "$d" ] || continue
    id=$(basename "$d")
    sk rm -f "$id" >/dev/null 2>&1 || true
    for pid in $(fuser "$d/monitor.lock" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    grep -q " ${d%/}/rootfs " /proc/self/mounts && umount -l "${d%/}/rootfs"
    # As deep as cgroup_dirs_of looks: a v1 hierarchy may put it below our own cgroup
    # (memory/process_api/<session>/<id> here).
    find /sys/fs/cgroup -maxdepth 4 -depth -type d -name "$id" -exec rmdir {} + 2>/dev/null
  done
  true
}
cleanup skiff_cleanup

# The busybox image as "busybox", loaded with `skiff load`.
skiff_load_busybox() {
  need_cmd busybox
  need_cmd jq
  bash "$SKIFF_SOURCE_DIR/images/busybox/build.sh" "$SKIFF_TMP/busybox" >/dev/null
  sk load -i "$SKIFF_TMP/busybox" >/dev/null || fail "skiff load of the busybox layout"
}

# alive PID: the process exists and is not a zombie (a container whose monitor was killed is
# re-parented to pid 1, which may be slow to reap it).
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $st != Z* ]]; }

# Counts of what containers leave behind on the host.
records() { find "$SK_ROOT/containers" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }
mounts_under_root() { grep -c " $SK_ROOT/" /proc/self/mounts || true; }
# Container directories of the runtime root (the seccomp-cache directory is shared, not state).
runtime_states() { find "$SK_RUNROOT" -mindepth 1 -maxdepth 1 -type d ! -name seccomp-cache 2>/dev/null | wc -l; }
cgroup_dirs_of() { { find /sys/fs/cgroup -maxdepth 3 -type d -name "$1" 2>/dev/null || true; } | wc -l; }

# Conditions for wait_until (lib.sh): the container's status is $2; its logs (both streams)
# contain $2.
state_is() { [ "$(sk inspect -f '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ]; }
logs_have() { [[ $(sk logs "$1" 2>&1) == *"$2"* ]]; }
