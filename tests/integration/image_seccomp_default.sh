#!/usr/bin/env bash
# A bundle made from an image carries docker's default seccomp profile: ordinary busybox
# commands work, while user namespaces, mounts, AF_VSOCK sockets, keyrings and ASLR-disabling
# personalities get EPERM and clone3 gets ENOSYS (so glibc falls back to clone). The same
# probes in a bundle made with the profile turned off show that seccomp, not missing
# capabilities, is what denies them.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/image_common.bash"
need_image_run
probe=$SKIFF_BUILD_DIR/tests/programs/syscall_errno-glibc
[ -x "$probe" ] || skip "$probe not built (target skiff_vm_test_programs)"
image_tool load "$STORE" "$(busybox_layout)" >/dev/null
mkdir "$SKIFF_TMP/progs"
cp "$probe" "$SKIFF_TMP/progs/probe"

probes="clone3 unshare_user socket_vsock socket_inet personality_linux32 personality_no_aslr add_key mount"
script="/probe/probe $probes; grep ^Seccomp: /proc/self/status; echo hi | tr a-z A-Z; ls /bin/busybox; unshare -U true 2>&1; true"
out=$(run_image "$(new_id default)" busybox "$script" "volume=$SKIFF_TMP/progs:/probe:ro")
expect="clone3=ENOSYS unshare_user=EPERM socket_vsock=EPERM socket_inet=ok personality_linux32=ok personality_no_aslr=EPERM add_key=EPERM mount=EPERM"
[ "$(sed -n 1p <<<"$out")" = "$expect" ] || fail "with the default profile: $(sed -n 1p <<<"$out"), want $expect"
[ "$(sed -n 2p <<<"$out" | tr -d '[:space:]')" = Seccomp:2 ] || fail "no seccomp filter on the process: $(sed -n 2p <<<"$out")"
[ "$(sed -n 3,4p <<<"$out")" = "$(printf 'HI\n/bin/busybox')" ] || fail "busybox commands failed under the profile: $out"
grep -q "Operation not permitted" <<<"$(sed -n 5p <<<"$out")" || fail "busybox unshare -U was not refused: $out"

out=$(run_image "$(new_id unconfined)" busybox "$script" "volume=$SKIFF_TMP/progs:/probe:ro" seccomp=0)
line=$(sed -n 1p <<<"$out")
[ "$(sed -n 2p <<<"$out" | tr -d '[:space:]')" = Seccomp:0 ] || fail "seccomp=0 still filtered: $(sed -n 2p <<<"$out")"
for p in "clone3=EINVAL" "unshare_user=ok" "personality_no_aslr=ok" "add_key=ok"; do
  [[ " $line " == *" $p "* ]] || fail "without the profile, want $p: $line"
done
[[ " $line " != *"socket_vsock=EPERM"* ]] || fail "without the profile AF_VSOCK still EPERM: $line"
echo "PASS: docker's default seccomp profile denies what docker denies and nothing busybox needs"
