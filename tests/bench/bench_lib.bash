# Shared by the runtime benchmarks run_true.sh and run_phases.sh (sourced, not run): where the
# runtimes are, argument checks, and a scratch directory with the busybox /bin/true bundle.
# The sourcing script sets BENCH_NAME (for messages) and BENCH_TAG (its cgroup names) first.
set -euo pipefail
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SKIFF_SOURCE_DIR=${SKIFF_SOURCE_DIR:-$(cd "$bench_dir/../.." && pwd)}
SKIFF_BUILD_DIR=${SKIFF_BUILD_DIR:-$SKIFF_SOURCE_DIR/build}
SKIFF_RUNTIME=${SKIFF_RUNTIME:-$SKIFF_BUILD_DIR/runtime/skiff-runtime}
CRUN=${CRUN:-$(command -v crun || echo /usr/bin/crun)}
RUNC=${RUNC:-$(command -v runc || echo /usr/sbin/runc)}

die() { echo "$BENCH_NAME: $*" >&2; exit 1; }

# bench_check N RUNTIME...: root, N a positive number, every runtime executable.
bench_check() {
  local n=$1 rt; shift
  [ "$(id -u)" = 0 ] || die "needs root (creates namespaces and cgroups)"
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "N must be a positive number, not '$n'"
  for rt in "$@"; do
    [ -x "$rt" ] || die "$rt: not found or not executable (set SKIFF_RUNTIME, CRUN, RUNC)"
  done
}

# bench_scratch: $tmp with $tmp/bundle (busybox, runc's default config, /bin/true), removed on
# exit together with any of our cgroups a failed run left (empty ones only).
bench_scratch() {
  tmp=$(mktemp -d "/tmp/skiff-$BENCH_TAG.XXXXXX")
  trap 'rm -rf "$tmp"; find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name "$BENCH_TAG-*-$$-*" -exec rmdir {} + 2>/dev/null || true' EXIT
  "$SKIFF_SOURCE_DIR/images/busybox/build.sh" "$tmp/image" >/dev/null
  "$SKIFF_SOURCE_DIR/images/bundle.sh" "$tmp/image" "$tmp/bundle" -- /bin/true
}

# crun refuses the hybrid cgroup layout of our machines, so every run, of every runtime, goes
# through this: a private mount namespace where /sys/fs/cgroup/unified is unmounted.
no_unified=(unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' wrapper)
