#!/usr/bin/env bash
# An image's size as docker and podman show it: the config plus each layer's uncompressed tar
# stream, not the compressed blobs. `images` SIZE and `inspect` Size agree; the size is
# recorded when a layer is unpacked (layers/<hex>.size), computed from the blob for a layer
# never unpacked or unpacked before skiff recorded it, and podman shows the same image within
# the manifest bytes it also counts.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/image_common.bash"
need_cmd gzip

layout=$(busybox_layout)
manifest=$(jq -r '.manifests[0].digest' "$layout/index.json")
mblob=$layout/blobs/sha256/${manifest#sha256:}
layer=$(jq -r '.layers[0].digest' "$mblob")
compressed=$(jq -r '.layers[0].size' "$mblob")
config_size=$(jq -r '.config.size' "$mblob")
diff_id=$(jq -r '.rootfs.diff_ids[0]' "$layout/blobs/sha256/$(jq -r '.config.digest' "$mblob" | cut -d: -f2)")
uncompressed=$(gzip -dc "$layout/blobs/sha256/${layer#sha256:}" | wc -c)
want=$((uncompressed + config_size))
[ "$uncompressed" -gt "$compressed" ] || fail "test image: layer not compressed ($uncompressed <= $compressed)"
human() { awk -v b="$1" 'BEGIN { split("B kB MB GB", u, " "); i = 1; while (b >= 1000 && i < 4) { b /= 1000; i++ }; printf "%.4g%s\n", b, u[i] }'; }

sk load -i "$layout" >/dev/null
sizefile=$STORE/layers/${diff_id#sha256:}.size
[ ! -e "$sizefile" ] || fail "load unpacked the layer or recorded its size already"
[ "$(sk inspect -f '{{.Size}}' busybox)" = "$want" ] || fail "inspect Size $(sk inspect -f '{{.Size}}' busybox), want $want"
[ "$(cat "$sizefile")" = "$uncompressed" ] || fail "size not recorded after computing it: $(cat "$sizefile" 2>&1)"
row=$(sk images busybox | tail -1)
[ "$(echo "$row" | awk '{print $NF}')" = "$(human "$want")" ] || fail "images SIZE: $row, want $(human "$want")"
[ "$(sk image inspect -f '{{.Id}}' busybox)" = "$(jq -r '.config.digest' "$mblob")" ] || fail "image inspect Id"

# A size file a crash left empty, or none at all (a layer unpacked before sizes were recorded):
# computed again from the blob.
: >"$sizefile"
[ "$(sk inspect -f '{{.Size}}' busybox)" = "$want" ] || fail "inspect Size with an empty size file"
rm -f "$sizefile"
[ "$(sk inspect -f '{{.Size}}' busybox)" = "$want" ] || fail "inspect Size without a size file"

# Unpacking records the size with the layer; with the blob gone the size still shows.
rm -f "$sizefile"
sk create --name sizec busybox true >/dev/null
[ -d "$STORE/layers/${diff_id#sha256:}" ] || fail "layer not unpacked"
[ "$(cat "$sizefile")" = "$uncompressed" ] || fail "unpack did not record the size: $(cat "$sizefile" 2>&1)"
[ "$(sk inspect -f '{{.Size}}' busybox)" = "$want" ] || fail "inspect Size after unpack"
# `image inspect` (docker's `inspect --type image`) does not take a container for an image,
# `inspect --type container` not an image for a container.
if err=$(sk image inspect sizec 2>&1); then fail "image inspect of a container"; fi
echo "$err" | grep -q "Error: No such image: sizec" || fail "image inspect of a container: $err"
if err=$(sk inspect --type container busybox 2>&1); then fail "inspect --type container of an image"; fi
echo "$err" | grep -q "Error: No such container: busybox" || fail "inspect --type container: $err"

# gc keeps the size of a layer it keeps and drops it with the layer.
sk rm -f sizec >/dev/null
sk rmi busybox >/dev/null
sk image prune -f >/dev/null
[ ! -e "$sizefile" ] || fail "prune left the size file of a removed layer"
[ -z "$(ls -A "$STORE/layers")" ] || fail "prune left in layers/: $(ls -A "$STORE/layers")"

if command -v podman >/dev/null; then
  proot=$SKIFF_TMP/podman
  pod() { podman --root "$proot/root" --runroot "$proot/run" --storage-driver vfs "$@"; }
  cleanup "podman --root $proot/root --runroot $proot/run --storage-driver vfs rmi -af >/dev/null 2>&1"
  tar -C "$layout" -cf "$SKIFF_TMP/bb-oci.tar" .
  out=$(pod load -i "$SKIFF_TMP/bb-oci.tar" 2>&1) || fail "podman load of the layout: $out"
  psize=$(pod image inspect --format '{{.Size}}' "$(jq -r '.config.digest' "$mblob" | cut -d: -f2)")
  msize=$(stat -c %s "$mblob")
  # podman also counts the manifest, twice (stored under two keys).
  [ "$psize" -ge "$want" ] && [ "$psize" -le $((want + 2 * msize)) ] ||
    fail "podman says $psize, skiff $want (manifest $msize bytes)"
  echo "podman: $psize bytes ($(pod images --format '{{.Size}}' | head -1)); skiff: $want bytes ($(human "$want"))"
fi
echo "PASS: images SIZE and inspect Size are the unpacked size, recorded at unpack, computed when absent"
