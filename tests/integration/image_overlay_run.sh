#!/usr/bin/env bash
# An image loaded from an OCI layout runs through `skiff create` + `skiff start -a` on an
# overlay root: each container writes to its own upper dir, layers are unpacked once and
# shared, `skiff rm` unmounts, and rmi and `image prune` free everything no container uses.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/image_common.bash"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || skip "no overlayfs"
RUN_ROOT=$SKIFF_TMP/run
skr() { sk --runroot "$RUN_ROOT" "$@"; }
cleanup "for c in \$(\"$SKIFF\" --root '$STORE' --runroot '$RUN_ROOT' ps -aq 2>/dev/null); do \"$SKIFF\" --root '$STORE' --runroot '$RUN_ROOT' rm -f \$c >/dev/null 2>&1; done"
layout=$(busybox_layout)

out=$(sk load -i "$layout")
[ "$out" = "Loaded image: busybox:latest" ] || fail "load printed: $out"

c1=$(skr create busybox sh -c 'echo one >/tmp/mine; cat /tmp/mine; id -u; pwd')
dir1=$STORE/containers/$c1
is_mounted "$dir1/rootfs" || fail "no overlay mounted at $dir1/rootfs"
grep " $dir1/rootfs " /proc/self/mounts | grep -q "lowerdir=$STORE/layers/" || fail "lowerdir not the shared layer"
c2=$(skr create -w /work -u nobody busybox cat /tmp/mine)
dir2=$STORE/containers/$c2
[ "$(ls "$STORE/layers" | grep -vc '\.size$')" = 1 ] || fail "layer unpacked more than once: $(ls "$STORE/layers")"

out=$(skr start -a "$c1")
[ "$out" = "$(printf 'one\n0\n/')" ] || fail "container 1 printed: $out"
[ "$(cat "$dir1/upper/tmp/mine")" = one ] || fail "write did not land in container 1's upper dir"
[ ! -e "$STORE/layers/$(ls "$STORE/layers" | grep -v '\.size$')/tmp/mine" ] || fail "write reached the shared layer"

# Container 2 does not see container 1's file; it runs as nobody in the created WorkingDir.
set +e
out=$(skr start -a "$c2" 2>&1)
rc=$?
set -e
[ "$rc" != 0 ] && echo "$out" | grep -q "No such file" || fail "container 2 saw container 1's write: rc=$rc $out"
[ -d "$dir2/rootfs/work" ] || [ -d "$dir2/upper/work" ] || fail "WorkingDir /work not created"
[ "$(jq -r .process.user.uid "$dir2/config.json")" = 65534 ] || fail "user nobody not resolved"

skr rm "$c1" >/dev/null
! is_mounted "$dir1/rootfs" || fail "overlay still mounted after rm"
[ ! -e "$dir1" ] || fail "$dir1 left after rm"
sk image prune -f >/dev/null
[ "$(blob_count "$STORE") $(ls "$STORE/layers" | grep -vc '\.size$')" = "3 1" ] || fail "prune removed what busybox:latest and $c2 use"
if err=$(sk rmi busybox 2>&1); then fail "rmi removed an image $c2 was made from"; fi
echo "$err" | grep -q "container ${c2:0:12} is using its referenced image" || fail "rmi in-use error: $err"
# rmi -f: the image goes, the layer $c2's overlay stands on stays.
sk rmi -f busybox >/dev/null
[ "$(blob_count "$STORE") $(ls "$STORE/layers" | grep -vc '\.size$')" = "0 1" ] || fail "rmi: blobs not freed, or $c2's layer freed"
skr rm "$c2" >/dev/null
[ "$(sk image prune -f)" = "Total reclaimed space: 0B" ] || fail "prune output"
[ -z "$(ls "$STORE/layers")" ] || fail "prune did not free the unused layer"
echo "PASS: busybox from an OCI layout on shared overlay layers through skiff create/start/rm"
