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
  for what in segv segv-handled ill fpe abort handler; do
    want=$(bash -c "chroot '$root' /faults-$v $what >/dev/null 2>&1; echo \$?" 2>/dev/null)
    rc=0
    "$SKIFF_VMM" --rootfs "$root" -- "/faults-$v" "$what" >/dev/null 2>&1 || rc=$?
    [ "$rc" = "$want" ] || fail "faults-$v $what: vm mode exit $rc, native $want"
    echo "ok: faults-$v $what -> $rc"
  done
  compare "handler-output-$v" "$root" -- "/faults-$v" handler
  compare "segv-handler-output-$v" "$root" -- "/faults-$v" segv-handled
done

# kill: a signal sent to skiff-vmm reaches the app: a handler runs (whether the app is computing
# or blocked in a syscall), the default action ends it with 128 + signal, as natively.
cp "$SKIFF_PROGRAMS/faults-glibc" "$root/" 2>/dev/null || true
for what in spin spin-handled sleep-handled; do
  for mode in native vm; do
    out=$SKIFF_TMP/kill-$what-$mode
    if [ $mode = native ]; then
      chroot "$root" /faults-glibc "$what" >"$out" &
    else
      "$SKIFF_VMM" --rootfs "$root" -- /faults-glibc "$what" >"$out" &
    fi
    pid=$!
    cleanup "kill -9 $pid 2>/dev/null"
    wait_until 60 test -s "$out" || fail "$what ($mode) never started"
    kill -TERM "$pid"
    rc=0
    wait "$pid" || rc=$?
    echo "$rc" >>"$out"
  done
  cmp -s "$SKIFF_TMP/kill-$what-native" "$SKIFF_TMP/kill-$what-vm" ||
    fail "kill -TERM during $what: native $(tr '\n' ' ' <"$SKIFF_TMP/kill-$what-native"), vm $(tr '\n' ' ' <"$SKIFF_TMP/kill-$what-vm")"
  echo "ok: kill -TERM during $what -> $(tr '\n' ' ' <"$SKIFF_TMP/kill-$what-vm")"
done

# A handled signal while the app blocks reading stdin: with SA_RESTART the read goes on and gets
# the data written later; without it, read fails with EINTR. Same output as natively.
for what in read-restart read-eintr; do
  for mode in native vm; do
    out=$SKIFF_TMP/$what-$mode
    fifo=$SKIFF_TMP/$what-$mode.fifo
    mkfifo "$fifo"
    exec 7<>"$fifo"
    if [ $mode = native ]; then
      chroot "$root" /faults-glibc "$what" <&7 >"$out" &
    else
      "$SKIFF_VMM" --rootfs "$root" -- /faults-glibc "$what" <&7 >"$out" &
    fi
    pid=$!
    cleanup "kill -9 $pid 2>/dev/null"
    # The signal must find the app inside read, and be handled before the data comes.
    wait_until 60 blocked_in_read "$pid" || fail "$what ($mode) never blocked reading stdin"
    kill -USR1 "$pid"
    wait_until 30 grep -q "handler ran" "$out" || fail "$what ($mode): the USR1 handler never ran"
    echo data >&7
    wait_until 30 not kill -0 "$pid" 2>/dev/null || true
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" || true
    exec 7>&-
  done
  cmp -s "$SKIFF_TMP/$what-native" "$SKIFF_TMP/$what-vm" ||
    fail "$what: native $(tr '\n' ' ' <"$SKIFF_TMP/$what-native"), vm $(tr '\n' ' ' <"$SKIFF_TMP/$what-vm")"
  echo "ok: $what -> $(tr '\n' ' ' <"$SKIFF_TMP/$what-vm")"
done
