#!/usr/bin/env bash
# vm mode runs a static C program built with musl-gcc, gcc -static and gcc -static-pie exactly as
# the host kernel does: same stdout, same stderr, same exit status.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vm_common.bash"
need_root
need_vmm

root=$SKIFF_TMP/rootfs
mkdir -p "$root/etc"
printf 'first line\nsecond line\n' >"$root/etc/greeting"
variants=(glibc pie)
[ -x "$SKIFF_PROGRAMS/hello-musl" ] && variants+=(musl)
for v in "${variants[@]}"; do
  cp "$SKIFF_PROGRAMS/hello-$v" "$root/hello-$v"
  compare "hello-$v" "$root" -- "/hello-$v" /etc/greeting 7
  compare "hello-$v-noargs" "$root" -- "/hello-$v"
  compare "hello-$v-missing-file" "$root" -- "/hello-$v" /no/such/file
done
# The environment reaches the app.
out=$("$SKIFF_VMM" --rootfs "$root" --env HOME=/root -- /hello-glibc)
grep -qx 'HOME=/root' <<<"$out" || fail "HOME from --env not seen by the app: $out"
echo "ok: environment"

# The runtime hands skiff-vmm /dev/kvm and the rootfs as fds opened before pivot_root.
out=$(bash -c 'exec 9<>/dev/kvm 8<"$1"; shift; exec "$@"' _ "$root" \
  "$SKIFF_VMM" --kvm-fd 9 --rootfs-fd 8 -- /hello-glibc /etc/greeting 4 2>/dev/null) && rc=0 || rc=$?
[ "$rc" = 4 ] || fail "--kvm-fd/--rootfs-fd run exited $rc"
grep -q "second line" <<<"$out" || fail "--kvm-fd/--rootfs-fd run did not read the file: $out"
echo "ok: --kvm-fd and --rootfs-fd"
rc=0
err=$("$SKIFF_VMM" --kvm-fd 99 --rootfs "$root" -- /hello-glibc 2>&1) || rc=$?
[ "$rc" = 125 ] && grep -q "KVM_GET_API_VERSION on the /dev/kvm fd: Bad file descriptor" <<<"$err" ||
  fail "bad --kvm-fd: $rc $err"
echo "ok: bad --kvm-fd is a clear error"

# The supported-CPUID cache: written on the first run, used by the next, ignored when corrupt.
cache=$SKIFF_TMP/cpuid.bin
"$SKIFF_VMM" --cpuid-cache "$cache" --rootfs "$root" -- /hello-glibc >/dev/null 2>&1 || fail "run writing the CPUID cache"
[ -s "$cache" ] || fail "CPUID cache not written"
"$SKIFF_VMM" --cpuid-cache "$cache" --rootfs "$root" -- /hello-glibc >/dev/null 2>&1 || fail "run reading the CPUID cache"
head -c 100 /dev/urandom >"$cache"
"$SKIFF_VMM" --cpuid-cache "$cache" --rootfs "$root" -- /hello-glibc >/dev/null 2>&1 || fail "run with a corrupt CPUID cache"
[ "$(head -c 8 "$cache")" = SKCPUID1 ] || fail "corrupt CPUID cache not rewritten"
echo "ok: CPUID cache"
bash -c 'exec 7<>"$1"; shift; exec "$@"' _ "$cache" "$SKIFF_VMM" --cpuid-cache-fd 7 --rootfs "$root" -- /hello-glibc \
  >/dev/null 2>&1 || fail "run with --cpuid-cache-fd"
echo "ok: --cpuid-cache-fd"

# --debug names each unimplemented syscall once (glibc probes rseq, which the libOS leaves ENOSYS).
err=$("$SKIFF_VMM" --debug --rootfs "$root" -- /hello-glibc 2>&1 >/dev/null)
grep -q "^skiff-vmm: guest: unimplemented syscall rseq (334): ENOSYS$" <<<"$err" ||
  fail "--debug did not name the unimplemented syscall: $err"
echo "ok: unimplemented syscalls named in the --debug log"
