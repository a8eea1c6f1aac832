# Helpers for the lifecycle_*.sh and runtime_*.sh tests of skiff-runtime itself. Sourced after
# lib.sh. Every test uses a private --root so that it sees only its own containers.

need_root
[ -x "$SKIFF_RUNTIME" ] || skip "skiff-runtime not built at $SKIFF_RUNTIME"
need_cmd jq
need_cmd busybox

RT_ROOT="$SKIFF_TMP/state"
# rt ARGS...: skiff-runtime with the test's root.
rt() { "$SKIFF_RUNTIME" --root "$RT_ROOT" "$@"; }

# Kill and delete whatever a test left (a failed assertion must not leave containers behind).
rt_cleanup_all() {
  local id
  for id in $(rt list -q 2>/dev/null); do rt delete --force "$id" >/dev/null 2>&1 || true; done
}
cleanup rt_cleanup_all

# rt_status ID: the status field of `state`.
rt_status() { rt state "$1" | jq -r .status; }

# expect_fail "text" CMD...: CMD must fail (exit 1) with "text" in its stderr.
expect_fail() {
  local want=$1; shift
  local err rc=0
  err=$("$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -ne 0 ] || fail "expected failure of: $* (got exit 0)"
  [ "$rc" -eq 1 ] || fail "expected exit 1 from: $* (got $rc): $err"
  grep -qF -- "$want" <<<"$err" || fail "error of '$*' lacks \"$want\": $err"
  echo "ok: $* -> $(tail -n1 <<<"$err")"
}

# assert_nothing_left ID BUNDLE: no state directory, no cgroup, no mount and no process of
# the container remain (what a failed or finished create/run must guarantee).
assert_nothing_left() {
  local id=$1 bundle=$2 p root
  [ ! -e "$RT_ROOT/$id" ] || fail "state directory $RT_ROOT/$id left behind"
  ! ls -d "$RT_ROOT"/.creating-* >/dev/null 2>&1 || fail "temporary state directory left behind"
  local cg
  # find exits 1 when another job's cgroup vanishes under it: not ours, not a failure.
  cg=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "*$id*" 2>/dev/null | head -n1) || true
  [ -z "$cg" ] || fail "cgroup $cg left behind"
  bundle=$(readlink -f "$bundle")
  ! grep -qF " $bundle" /proc/self/mountinfo || fail "mount under $bundle left behind"
  for p in /proc/[0-9]*; do
    root=$(readlink "$p/root" 2>/dev/null) || continue
    case "$root" in "$bundle"*) fail "process ${p#/proc/} left behind (root $root)" ;; esac
  done
  ! ps -o stat= --ppid $$ 2>/dev/null | grep -q Z || fail "zombie child left behind"
}

# status_is ID WANT: for wait_until (lib.sh).
status_is() { [ "$(rt_status "$1" 2>/dev/null)" = "$2" ]; }
