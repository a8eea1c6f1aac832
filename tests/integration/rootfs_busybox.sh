#!/bin/bash
# A busybox container with runc's default config plus a bind mount, a tmpfs with options, a
# listed device, a sysctl, a hostname and a read-only root: what the process sees inside.
# Runs against skiff-runtime; SKIFF_RUNTIME=runc runs the same checks against runc.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
[ -x "$SKIFF_RUNTIME" ] || command -v "$SKIFF_RUNTIME" >/dev/null || skip "no runtime at $SKIFF_RUNTIME"

b="$SKIFF_TMP/bundle"
mkdir -p "$SKIFF_TMP/data"
echo hello >"$SKIFF_TMP/data/file"
make_bundle "$b" sh /check.sh
# make_bundle passes one argument per line: the checks go into the image as a script.
cat >"$b/rootfs/check.sh" <<'SCRIPT'
echo "host=$(hostname)"
echo "null=$(stat -c "%t:%T:%a" /dev/null)"
echo "fuse=$(stat -c "%t:%T:%a:%u:%g" /dev/fuse)"
echo "ptmx=$(readlink /dev/ptmx)"
echo "fd=$(readlink /dev/fd)"
echo "shmmax=$(cat /proc/sys/kernel/shmmax)"
echo "data=$(cat /data/file)"
touch /data/new 2>/dev/null && echo "data=writable" || echo "data=readonly"
touch /newfile 2>/dev/null && echo "root=writable" || echo "root=readonly"
touch /tmp/x 2>/dev/null && echo "tmp=writable" || echo "tmp=readonly"
echo 1 >/proc/sys/kernel/shmmni 2>/dev/null && echo "procsys=writable" || echo "procsys=readonly"
echo "keys=$(wc -c </proc/keys)"
echo "firmware=$(ls /sys/firmware | wc -l)"
awk '$5 == "/tmp" { print $6 }' /proc/self/mountinfo | grep -q noexec && echo "tmpnoexec=yes"
awk '$5 == "/sys/fs/cgroup/pids" { print $6 }' /proc/self/mountinfo | grep -q '^ro,' && echo "cgroup=ro"
echo "pid=$$"
SCRIPT
edit_config "$b" '
  .hostname = "skiff-rootfs" |
  .root.readonly = true |
  .mounts += [
    {"destination": "/data", "type": "bind", "source": "'"$SKIFF_TMP/data"'", "options": ["rbind", "ro"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec", "mode=1777", "size=1m"]}
  ] |
  .linux.devices = [{"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229, "fileMode": 416, "uid": 1000, "gid": 1000}] |
  .linux.sysctl = {"kernel.shmmax": "123456789"}
'
id=$(new_id rootfs)
cleanup "'$SKIFF_RUNTIME' delete -f $id >/dev/null 2>&1"
"$SKIFF_RUNTIME" run --bundle "$b" "$id" </dev/null >"$SKIFF_TMP/out" 2>"$SKIFF_TMP/err" ||
  { cat "$SKIFF_TMP/out" "$SKIFF_TMP/err"; fail "run failed"; }
cat "$SKIFF_TMP/out"

expect() { grep -qxF "$1" "$SKIFF_TMP/out" || fail "expected \"$1\" in the container's output"; }
expect "host=skiff-rootfs"
expect "null=1:3:666"
expect "fuse=a:e5:640:1000:1000"
expect "ptmx=pts/ptmx"
expect "fd=/proc/self/fd"
expect "shmmax=123456789"
expect "data=hello"
expect "data=readonly"
expect "root=readonly"
expect "tmp=writable"
expect "procsys=readonly"
expect "keys=0"
expect "firmware=0"
expect "tmpnoexec=yes"
expect "cgroup=ro"
expect "pid=1"
echo "PASS"
