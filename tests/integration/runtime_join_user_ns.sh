#!/bin/bash
# Joining an existing user namespace by path (as CRI-O and podman pods pin one) while creating
# the other namespaces: those must be owned by the joined user namespace, so the init makes
# them with unshare after setns (runc's nsexec order), becomes root of the joined namespace, and
# an idmapped mount is made by the runtime against the joined namespace. Without that order the
# container's own mount namespace belongs to the host's user namespace and the first mount
# fails with EPERM.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"
need_cmd unshare

# The pinned user namespace: root inside is host uid/gid 100000.
unshare -U sleep 1000 &
holder=$!
cleanup "kill $holder 2>/dev/null; wait $holder 2>/dev/null"
wait_until 30 eval '[ "$(readlink /proc/$holder/ns/user)" != "$(readlink /proc/self/ns/user)" ]' ||
  fail "unshare -U never made its user namespace"
echo "0 100000 65536" >/proc/$holder/uid_map
echo "0 100000 65536" >/proc/$holder/gid_map

# The joined namespace's root must reach the bundle before pivot_root.
chmod 755 "$SKIFF_TMP"
mkdir -p "$SKIFF_TMP/src"
echo x >"$SKIFF_TMP/src/f"
chown 7:7 "$SKIFF_TMP/src/f"  # a plain bind would show it as 65534 (unmapped)
B="$SKIFF_TMP/bundle"
make_bundle "$B" sh -c 'cat /proc/self/uid_map; id -u; hostname; stat -c %u /ridmap/f; readlink /proc/self/ns/user'
mkdir -p "$B/rootfs/ridmap"
# runc wants the joined namespace's mappings in the config too; they describe it.
edit_config "$B" '
  .hostname = "joined" |
  .linux.namespaces += [{"type":"user","path":"/proc/'"$holder"'/ns/user"}] |
  .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] |
  .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}] |
  .mounts += [{"destination":"/ridmap","type":"bind","source":"'"$SKIFF_TMP/src"'","options":["rbind","ridmap"]}]'

id=$(new_id joinuser)
rc=0
out=$(rt run --bundle "$B" "$id" 2>"$SKIFF_TMP/err") || rc=$?
if [ "$rc" -ne 0 ] && grep -qE "mount_setattr idmap: (EINVAL|ENOSYS|EOPNOTSUPP)|open_tree [^:]*: ENOSYS" "$SKIFF_TMP/err"; then
  skip "this kernel or filesystem refuses idmapped mounts: $(cat "$SKIFF_TMP/err")"
fi
[ "$rc" -eq 0 ] || fail "run joining a user namespace failed ($rc): $(cat "$SKIFF_TMP/err")"
line() { sed -n "$1p" <<<"$out" | tr -s ' ' | sed 's/^ //'; }
[ "$(line 1)" = "0 100000 65536" ] || fail "not in the joined user namespace: $out"
[ "$(line 2)" = 0 ] || fail "not root of the joined namespace: $out"
[ "$(line 3)" = joined ] || fail "own uts namespace not set up: $out"
[ "$(line 4)" = 7 ] || fail "ridmap mount not idmapped by the joined namespace (7 should show as 7): $out"
[ "$(line 5)" = "$(readlink /proc/$holder/ns/user)" ] || fail "a different user namespace: $out"
assert_nothing_left "$id" "$B"
echo "PASS: runtime_join_user_ns"
