#!/usr/bin/env bash
# Bad binaries and hostile guests: each gets a clear one-line error from skiff-vmm, a non-zero
# status, and the host is untouched (no file outside the rootfs is read; no process is left).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vm_common.bash"
need_root
need_vmm

root=$SKIFF_TMP/rootfs
mkdir -p "$root/etc"
echo "inside-the-rootfs" >"$root/etc/hostname"
for p in bad_hypercall-glibc faults-glibc hello-glibc hello-dynamic; do cp "$SKIFF_PROGRAMS/$p" "$root/"; done

# expect_fail NAME STATUS MESSAGE_REGEX VMM_ARGS...
expect_fail() {
  local name=$1 want=$2 re=$3; shift 3
  local rc=0 err
  err=$("$SKIFF_VMM" --rootfs "$root" "$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" = "$want" ] || fail "$name: exit status $rc, want $want (stderr: $err)"
  grep -Eq "$re" <<<"$err" || fail "$name: stderr does not match /$re/: $err"
  [ "$(wc -l <<<"$err")" -le 2 ] || fail "$name: error is not short: $err"
  echo "ok: $name -> $rc: $err"
}

# Binaries vm mode cannot run.
printf 'this is not an ELF file\n' >"$root/notelf"
expect_fail "bad ELF header" 126 "not an ELF file" -- /notelf
cp "$root/hello-glibc" "$root/arm64"
printf '\xb7\x00' | dd of="$root/arm64" bs=1 seek=18 conv=notrunc status=none # e_machine = EM_AARCH64
expect_fail "another architecture" 126 "built for aarch64; vm mode runs x86-64 binaries only" -- /arm64
head -c 100 "$root/hello-glibc" >"$root/truncated"
expect_fail "truncated ELF" 126 "truncated|outside the file" -- /truncated
expect_fail "dynamically linked" 126 "dynamically linked .*not supported yet" -- /hello-dynamic
expect_fail "missing binary" 127 "open /nope in the rootfs: No such file" -- /nope
cp "$SKIFF_PROGRAMS/bigbss-glibc" "$root/"
expect_fail "binary larger than guest RAM" 126 "do not fit guest memory" --memory 32 -- /bigbss-glibc
expect_fail "bad option" 2 "unknown option --frobnicate" --frobnicate -- /hello-glibc

# Hostile hypercalls, straight from ring 3 (bad_hypercall.c): bad buffers are EFAULT and the guest
# goes on; a request the VMM cannot read, or an unknown number, stops the VM.
out=$("$SKIFF_VMM" --rootfs "$root" -- /bad_hypercall-glibc buffer) || fail "bad buffers: $out"
echo "ok: out-of-range buffers -> EFAULT"
out=$("$SKIFF_VMM" --rootfs "$root" -- /bad_hypercall-glibc length) || fail "bad lengths: $out"
echo "ok: overflowing lengths -> EFAULT"
out=$("$SKIFF_VMM" --rootfs "$root" -- /bad_hypercall-glibc path) || fail "path escape: $out"
grep -q "opened inside the rootfs: inside-the-rootfs" <<<"$out" || fail "/../../etc/hostname left the rootfs: $out"
echo "ok: '..' cannot leave the rootfs"
rc=0
out=$("$SKIFF_VMM" --rootfs "$root" -- /bad_hypercall-glibc ring0 2>&1) || rc=$?
[ "$rc" = 139 ] && ! grep -q "rewrote" <<<"$out" || fail "app rewrote the ring-0 stubs: $rc $out"
echo "ok: ring-0 code is read-only to the app (SIGSEGV)"
expect_fail "request outside guest RAM" 125 "request at 0xfff0000000 is not inside guest RAM" -- /bad_hypercall-glibc request
expect_fail "unknown hypercall number" 125 "unknown hypercall at 0x1000000640" -- /bad_hypercall-glibc number

# Guest RAM exhausted: malloc fails inside the guest (ENOMEM), the app sees it and exits cleanly.
out=$("$SKIFF_VMM" --rootfs "$root" --memory 32 -- /faults-glibc exhaust) || fail "exhaust: $out"
grep -Eq "malloc failed after [0-9]+ MiB" <<<"$out" || fail "exhaust: $out"
echo "ok: guest RAM exhausted -> $out"

[ -z "$(own_pids "$SKIFF_VMM")" ] || fail "a skiff-vmm process was left behind: $(own_pids "$SKIFF_VMM")"
echo "ok: nothing left running"
