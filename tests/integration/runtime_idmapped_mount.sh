#!/bin/bash
# Idmapped bind mounts in a container with a user namespace (root inside is host uid 100000).
# The container cannot idmap a host filesystem itself (it lacks CAP_SYS_ADMIN over it): the
# runtime makes the trees from outside once the init's user namespace has its maps and hands
# them down. A file owned by host uid 1234 shows as 1234 through a `ridmap` mount (mapped by
# the container's own user namespace), as 5 through an `idmap` mount with its own mappings
# (1234 -> 100005), and as nobody (65534) through a plain bind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" sh -c 'stat -c "%u:%g" /ridmap/f /idmap/f /plain/f'
# The container's root (host uid 100000) must be able to reach the bundle before pivot_root.
chmod 755 "$SKIFF_TMP"
mkdir -p "$SKIFF_TMP/src" "$B/rootfs/ridmap" "$B/rootfs/idmap" "$B/rootfs/plain"
echo x >"$SKIFF_TMP/src/f"
chown 1234:1234 "$SKIFF_TMP/src/f"
edit_config "$B" '
  .linux.namespaces += [{"type":"user"}] |
  .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] |
  .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}] |
  .mounts += [
    {"destination":"/ridmap","type":"bind","source":"'"$SKIFF_TMP/src"'","options":["rbind","ridmap"]},
    {"destination":"/idmap","type":"bind","source":"'"$SKIFF_TMP/src"'","options":["bind","idmap","ro"],
     "uidMappings":[{"containerID":1234,"hostID":100005,"size":1}],
     "gidMappings":[{"containerID":1234,"hostID":100005,"size":1}]},
    {"destination":"/plain","type":"bind","source":"'"$SKIFF_TMP/src"'","options":["bind"]}]'

id=$(new_id idmap)
rc=0
out=$(rt run --bundle "$B" "$id" 2>"$SKIFF_TMP/err") || rc=$?
if [ "$rc" -ne 0 ]; then
  if grep -qE "mount_setattr idmap: (EINVAL|ENOSYS|EOPNOTSUPP)|open_tree [^:]*: ENOSYS" "$SKIFF_TMP/err"; then
    skip "this kernel or filesystem refuses idmapped mounts: $(cat "$SKIFF_TMP/err")"
  fi
  fail "run with idmapped mounts failed ($rc): $(cat "$SKIFF_TMP/err")"
fi
expect() { [ "$(sed -n "$1p" <<<"$out")" = "$2" ] || fail "$3: got $(sed -n "$1p" <<<"$out"), want $2 (output: $out)"; }
expect 1 1234:1234 "ridmap mount (container's user namespace)"
expect 2 5:5 "idmap mount with its own uidMappings/gidMappings"
expect 3 65534:65534 "plain bind of the same directory"
# The idmapped mounts changed nothing on the host.
[ "$(stat -c %u:%g "$SKIFF_TMP/src/f")" = 1234:1234 ] || fail "host file owner changed"
assert_nothing_left "$id" "$B"
echo "ok: idmapped mounts in a user namespace"

# A wrong mapping on a mount is a clear error at create and leaves nothing behind.
edit_config "$B" '.mounts[-2].gidMappings = []'
id=$(new_id idmap-bad)
expect_fail "gidMappings: idmapped mount needs both uidMappings and gidMappings" rt create --bundle "$B" "$id"
assert_nothing_left "$id" "$B"
echo "PASS: runtime_idmapped_mount"
