#!/usr/bin/env bash
# A fault in the app ends it with the signal Linux would send, and the status a shell reports
# (128 + signal), exactly as natively; signals the app sends itself reach its handlers.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vm_common.bash"
need_root
need_vmm

root=$SKIFF_TMP/rootfs
mkdir -p "$root"
for v in glibc musl; do
  [ -x "$SKIFF_PROGRAMS/faults-$v" ] || continue
  cp "$SKIFF_PROGRAMS/faults-$v" "$root/"
  for what in segv ill fpe abort handler; do
    want=$(bash -c "chroot '$root' /faults-$v $what >/dev/null 2>&1; echo \$?" 2>/dev/null)
    rc=0
    "$SKIFF_VMM" --rootfs "$root" -- "/faults-$v" "$what" >/dev/null 2>&1 || rc=$?
    [ "$rc" = "$want" ] || fail "faults-$v $what: vm mode exit $rc, native $want"
    echo "ok: faults-$v $what -> $rc"
  done
  compare "handler-output-$v" "$root" -- "/faults-$v" handler
done
