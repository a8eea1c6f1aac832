# Helpers shared by the vm_*.sh tests (sourced after lib.sh; not a test itself).
SKIFF_VMM=${SKIFF_VMM:-$SKIFF_BUILD_DIR/unikernel/skiff-vmm}
SKIFF_PROGRAMS=${SKIFF_PROGRAMS:-$SKIFF_BUILD_DIR/tests/programs}

need_vmm() {
  need_kvm
  [ -x "$SKIFF_VMM" ] || skip "skiff-vmm not built ($SKIFF_VMM)"
}

# compare NAME ROOTFS VM_ARGS... -- CMD...: runs CMD natively (chroot, empty environment plus
# A=1 and PATH=/bin) and in vm mode with the same environment; stdout, stderr and the exit status
# must be identical.
compare() {
  local name=$1 root=$2; shift 2
  local vmargs=()
  while [ "$1" != -- ]; do vmargs+=("$1"); shift; done
  shift
  local d=$SKIFF_TMP/cmp-$name
  mkdir -p "$d"
  local nat_rc=0 vm_rc=0
  env -i A=1 PATH=/bin "$(command -v chroot)" "$root" "$@" >"$d/nat.out" 2>"$d/nat.err" || nat_rc=$?
  "$SKIFF_VMM" --rootfs "$root" --env A=1 --env PATH=/bin "${vmargs[@]}" -- "$@" \
    >"$d/vm.out" 2>"$d/vm.err" || vm_rc=$?
  if ! cmp -s "$d/nat.out" "$d/vm.out"; then
    diff "$d/nat.out" "$d/vm.out" | head -20 >&2
    fail "$name: stdout differs between native and vm mode"
  fi
  if ! cmp -s "$d/nat.err" "$d/vm.err"; then
    diff "$d/nat.err" "$d/vm.err" | head -20 >&2
    fail "$name: stderr differs between native and vm mode"
  fi
  [ "$nat_rc" = "$vm_rc" ] || fail "$name: exit status native $nat_rc, vm mode $vm_rc"
  echo "ok: $name (exit $vm_rc, $(wc -c <"$d/vm.out") bytes of stdout)"
}

# blocked_in_read PID: a thread of PID sleeps in a pipe read (its wchan), so a signal sent now
# finds the app (native, or the VMM on the guest's behalf) inside that read.
blocked_in_read() { grep -qs pipe_read /proc/"$1"/task/*/wchan; }
