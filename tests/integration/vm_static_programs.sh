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
