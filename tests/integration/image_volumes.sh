#!/usr/bin/env bash
# An image's Volumes become anonymous volumes: a directory per volume in the container's
# directory, filled from the image, mounted read-write (also under --read-only), private to the
# container and removed with it; a -v on the same path replaces it.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/image_common.bash"
need_image_run
need_cmd jq

# The busybox rootfs plus /srv/data/seed, with Volumes /srv/data and /cache.
(
  . "$SKIFF_SOURCE_DIR/images/oci_layout.sh"
  image_begin "$SKIFF_TMP/vol"
  make_busybox_rootfs "$IMAGE_TMP/stage"
  mkdir -p "$IMAGE_TMP/stage/srv/data"
  echo seeded >"$IMAGE_TMP/stage/srv/data/seed"
  write_oci_layout "$IMAGE_TMP/stage" "$SKIFF_TMP/vol" latest \
    '{"Cmd":["sh"],"Volumes":{"/srv/data":{},"/cache":{}}}' >/dev/null
)
image_tool load "$STORE" "$SKIFF_TMP/vol" vol >/dev/null

c1=$(new_id vol1) c2=$(new_id vol2) c3=$(new_id vol3)
d1=$STORE/containers/$c1
out=$(run_image "$c1" vol 'cat /srv/data/seed; echo mine >/srv/data/new; echo c >/cache/x && echo cached; touch /rootfile 2>/dev/null || echo ro-root' read_only=1)
[ "$out" = "$(printf 'seeded\ncached\nro-root')" ] || fail "container 1 printed: $out"
# Numbered in the config's order (its Volumes keys sorted): /cache is 0, /srv/data 1.
[ "$(cat "$d1/volumes/1/new")" = mine ] || fail "write to /srv/data did not land in $d1/volumes/1"
[ "$(cat "$d1/volumes/0/x")" = c ] || fail "write to /cache did not land in $d1/volumes/0"
[ ! -e "$d1/upper/srv/data/new" ] || fail "write to the volume reached the rootfs"

# Another container gets fresh volumes, filled from the image again.
out=$(run_image "$c2" vol 'ls /srv/data; ls /cache | wc -l')
[ "$out" = "$(printf 'seed\n0')" ] || fail "container 2 saw container 1's volume: $out"

mkdir "$SKIFF_TMP/hostdata"; echo host >"$SKIFF_TMP/hostdata/h"
out=$(run_image "$c3" vol 'ls /srv/data' "volume=$SKIFF_TMP/hostdata:/srv/data")
[ "$out" = h ] || fail "-v did not replace the image volume: $out"
[ -d "$STORE/containers/$c3/volumes/0" ] && [ ! -e "$STORE/containers/$c3/volumes/1" ] || fail "an anonymous volume was made under the -v"

image_tool rm "$STORE" "$c1"
[ ! -e "$d1" ] || fail "$d1 (and its volumes) left after rm"
echo "PASS: anonymous volumes from the image's Volumes"
