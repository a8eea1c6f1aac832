# Shared helpers for integration tests (sourced, not run). Each test script is one behaviour;
# it exits 0 on success, 77 with a printed reason when it cannot run here, non-zero otherwise.
set -euo pipefail

SKIFF_SOURCE_DIR=${SKIFF_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SKIFF_BUILD_DIR=${SKIFF_BUILD_DIR:-$SKIFF_SOURCE_DIR/build}
SKIFF_RUNTIME=${SKIFF_RUNTIME:-$SKIFF_BUILD_DIR/runtime/skiff-runtime}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || skip "needs root (runs real namespaces and cgroups)"; }
need_kvm() { [ -c /dev/kvm ] && [ -r /dev/kvm ] || skip "needs /dev/kvm"; }
need_cmd() { command -v "$1" >/dev/null || skip "needs $1 (installed by scripts/setup.sh)"; }

# A scratch directory removed when the test exits.
SKIFF_TMP=$(mktemp -d /tmp/skiff-test.XXXXXX)
SKIFF_CLEANUPS=()
on_exit() { local c; for c in "${SKIFF_CLEANUPS[@]}"; do eval "$c" || true; done; rm -rf "$SKIFF_TMP"; }
trap on_exit EXIT
cleanup() { SKIFF_CLEANUPS+=("$*"); }

# make_busybox_rootfs DIR: a minimal rootfs from Debian's busybox-static, one symlink per applet.
make_busybox_rootfs() {
  local root=$1
  need_cmd busybox
  mkdir -p "$root"/{bin,etc,proc,sys,dev,tmp,root}
  cp /bin/busybox "$root/bin/busybox"
  local a
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
  chmod 1777 "$root/tmp"
}

# make_bundle DIR [args...]: a bundle with a busybox rootfs and runc's default config running
# `args` (default: sh) without a terminal. Edit it further with jq via edit_config.
make_bundle() {
  local b=$1; shift
  mkdir -p "$b"
  make_busybox_rootfs "$b/rootfs"
  "$SKIFF_RUNTIME" spec --bundle "$b" 2>/dev/null || (cd "$b" && runc spec)
  local args='["sh"]'
  [ $# -gt 0 ] && args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
  edit_config "$b" ".process.terminal=false | .process.args=$args"
}

# edit_config BUNDLE JQ_FILTER
edit_config() {
  local b=$1 f=$2
  jq "$f" "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}

# Every process a test starts inherits this tag in its environment: own_pids finds those, and
# not another job's running the same binary.
export SKIFF_TEST_RUN="$$-$RANDOM"
# own_pids PATTERN: this test's processes whose command line matches PATTERN (as pgrep -f).
own_pids() {
  local p
  for p in $(pgrep -f -- "$1" || true); do
    { tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null | grep -qx "SKIFF_TEST_RUN=$SKIFF_TEST_RUN" && echo "$p"
  done
  true
}

# A unique container id per test run.
new_id() { echo "skiff-test-$1-$$-$RANDOM"; }

# wait_until SECONDS COMMAND...: polls COMMAND until it succeeds (0) or SECONDS pass (1).
# Deadlines are generous on purpose: a loaded CI machine may take seconds for what takes
# milliseconds here, and a passing wait returns as soon as the condition holds.
wait_until() {
  local end=$((SECONDS + $1 + 1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.02
  done
}
# not COMMAND...: succeeds when COMMAND fails (for wait_until).
not() { ! "$@"; }
