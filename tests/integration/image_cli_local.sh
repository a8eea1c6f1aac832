#!/usr/bin/env bash
# `skiff load`, `images`, `tag`, `rmi`, `save` on a local store: load from an OCI layout, an
# OCI archive on stdin and a docker-save tar; docker's table and flags; rmi refusing an image a
# container uses; save read back by skiff and by podman; bad input leaves nothing behind.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/image_common.bash"

layout=$(busybox_layout)
want=$(jq -r '.manifests[0].digest' "$layout/index.json")
config=$(jq -r '.config.digest' "$layout/blobs/sha256/${want#sha256:}")
id=${config#sha256:}; id=${id:0:12}

[ "$(sk load -i "$layout")" = "Loaded image: busybox:latest" ] || fail "load of the layout"
out=$(sk images)
echo "$out" | head -1 | grep -Eq '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$' || fail "images header: $out"
echo "$out" | grep -Eq "^busybox +latest +$id +[0-9a-zA-Z ]+ ago +[0-9.]+[kM]B$" || fail "images row: $out"
sk tag busybox me/bb:2
sk tag "$id" 127.0.0.1:5000/x/bb
[ "$(sk images -q)" = "$id" ] || fail "images -q: $(sk images -q)"
[ "$(sk images --no-trunc -q)" = "$config" ] || fail "images --no-trunc -q"
[ "$(sk images --digests | grep -c "$want")" = 3 ] || fail "images --digests: $(sk images --digests)"
[ "$(sk images me/bb | tail -n +2 | awk '{print $1":"$2}')" = "me/bb:2" ] || fail "images REPOSITORY filter"
[ "$(sk images 127.0.0.1:5000/x/bb:latest | wc -l)" = 2 ] || fail "images filter with a registry"
if err=$(sk tag busybox 'Bad/Name' 2>&1); then fail "tagged a bad name"; fi
echo "$err" | grep -q 'must be lowercase' || fail "bad tag error: $err"
if err=$(sk tag nope:1 x 2>&1); then fail "tagged a missing image"; fi
[ "$err" = "skiff: No such image: nope:1" ] || fail "missing image error: $err"

# rmi by id with three names refuses without -f; by name untags only.
if err=$(sk rmi "$id" 2>&1); then fail "rmi of an id with three names"; fi
echo "$err" | grep -q "image is referenced in multiple repositories" || fail "rmi id error: $err"
[ "$(sk rmi me/bb:2)" = "Untagged: me/bb:2" ] || fail "rmi me/bb:2"
# A container made from the image (the record skiff create writes: config.json with the image
# digest annotation) keeps it from rmi unless -f.
mkdir -p "$STORE/containers/c0ffee0123456789"
jq -n --arg d "$want" '{ociVersion:"1.2.0", annotations:{"run.skiff.image.digest":$d}}' \
  >"$STORE/containers/c0ffee0123456789/config.json"
if err=$(sk rmi busybox 2>&1); then fail "rmi of an image a container uses"; fi
echo "$err" | grep -q 'conflict: unable to remove repository reference "busybox" (must force) - container c0ffee012345 is using its referenced image' ||
  fail "in-use error: $err"
sk images | grep -q '^busybox ' || fail "refused rmi untagged anyway"
rm -rf "$STORE/containers/c0ffee0123456789"
out=$(sk rmi busybox 127.0.0.1:5000/x/bb)
[ "$out" = "$(printf 'Untagged: busybox:latest\nUntagged: 127.0.0.1:5000/x/bb:latest\nDeleted: %s' "$config")" ] || fail "rmi output: $out"
[ "$(blob_count "$STORE")" = 0 ] || fail "rmi left blobs: $(ls "$STORE/blobs/sha256")"
if err=$(sk rmi busybox 2>&1); then fail "rmi of a missing image"; fi
[ "$err" = "skiff: No such image: busybox" ] || fail "missing rmi error: $err"

# OCI archive on stdin: the name comes from the archive's annotations; without one the image
# loads untagged (docker's "Loaded image ID"), shows as <none> and goes with rmi by id.
tar -C "$layout" -cf "$SKIFF_TMP/bb.tar" .
[ "$(sk load <"$SKIFF_TMP/bb.tar")" = "Loaded image ID: $want" ] || fail "stdin load of an unnamed archive"
sk images | grep -Eq "^<none> +<none> +$id " || fail "untagged image not listed: $(sk images)"
[ "$(sk rmi "$id")" = "Deleted: $config" ] || fail "rmi of the untagged image"
sk load -i "$SKIFF_TMP/bb.tar" >/dev/null  # a file name gives the name: bb:latest
sk images bb | grep -q '^bb ' || fail "load -i FILE did not name the image after the file"

# save: OCI archive + docker manifest.json; skiff loads it back, podman loads it.
sk save -o "$SKIFF_TMP/saved.tar" bb
files=$(tar -tf "$SKIFF_TMP/saved.tar")
grep -qx manifest.json <<<"$files" || fail "save wrote no manifest.json"
grep -qx index.json <<<"$files" || fail "save wrote no index.json"
[ "$(skin "$SKIFF_TMP/s2" load -i "$SKIFF_TMP/saved.tar")" = "Loaded image: bb:latest" ] || fail "load of a saved archive"
sk save bb >"$SKIFF_TMP/saved2.tar"
cmp -s "$SKIFF_TMP/saved.tar" "$SKIFF_TMP/saved2.tar" || fail "save to stdout differs from -o"
if err=$(sk save -o "$SKIFF_TMP/none.tar" nope 2>&1); then fail "saved a missing image"; fi
[ ! -e "$SKIFF_TMP/none.tar" ] || fail "failed save left a file"
[ -z "$(find "$SKIFF_TMP" -maxdepth 1 -name '.tmp-*')" ] || fail "failed save left a temp file"
if command -v podman >/dev/null; then
  proot=$SKIFF_TMP/podman
  pod() { podman --root "$proot/root" --runroot "$proot/run" --storage-driver vfs "$@"; }
  cleanup "podman --root $proot/root --runroot $proot/run --storage-driver vfs rmi -af >/dev/null 2>&1"
  out=$(pod load -i "$SKIFF_TMP/saved.tar" 2>&1) || fail "podman load of skiff save: $out"
  echo "$out" | grep -q 'Loaded image.*bb:latest' || fail "podman load named: $out"
  pod image inspect bb:latest --format '{{.Id}}' | grep -q "^${config#sha256:}$" || fail "podman sees another image id"
  # ...and skiff loads what podman saves (docker-archive).
  pod save -o "$SKIFF_TMP/podman.tar" --format docker-archive bb:latest >/dev/null 2>&1
  [ "$(skin "$SKIFF_TMP/s3" load -i "$SKIFF_TMP/podman.tar")" = "Loaded image: bb:latest" ] ||
    fail "load of a podman docker-archive"
fi
if command -v skopeo >/dev/null; then
  skopeo copy -q "oci:$layout:latest" "docker-archive:$SKIFF_TMP/docker.tar:dk/bb:7" >/dev/null
  [ "$(skin "$SKIFF_TMP/s4" load -i "$SKIFF_TMP/docker.tar")" = "Loaded image: dk/bb:7" ] || fail "load of a docker-save tar"
fi

# Bad input: a corrupt archive fails, names the file, and adds nothing.
before=$(blob_count "$STORE")
head -c 3000 "$SKIFF_TMP/bb.tar" >"$SKIFF_TMP/cut.tar"
if err=$(sk load -i "$SKIFF_TMP/cut.tar" 2>&1); then fail "loaded a truncated archive"; fi
echo "$err" | grep -q "cut.tar" || fail "truncated archive error does not name the file: $err"
[ "$(blob_count "$STORE")" = "$before" ] || fail "failed load left blobs"
if err=$(sk load -i "$SKIFF_TMP/missing.tar" 2>&1); then fail "loaded a missing file"; fi
echo "$err" | grep -q "missing.tar: ENOENT\|missing.tar: No such file" || fail "missing file error: $err"
if sk images --bogus 2>/dev/null; then fail "accepted an unknown flag"; else [ $? = 125 ] || fail "unknown flag exit code"; fi
echo "PASS: load (layout, stdin, docker-save), images, tag, rmi (in use, by id), save (podman reads it)"
