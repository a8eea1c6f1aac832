#!/usr/bin/env bash
# What registries hold besides one gzip image, through docker-registry: a zstd-compressed image
# (pushed by skopeo) pulled and unpacked; an image index with two platforms resolved to this
# host's or to --platform's, and an unknown platform refused with the list of those offered.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd python3
need_cmd zstd
. "$(dirname "$0")/image_common.bash"

start_registry reg; port=$REG_PORT
reg=127.0.0.1:$port
layout=$(busybox_layout)
sk load -i "$layout" >/dev/null
want=$(jq -r '.manifests[0].digest' "$layout/index.json")

# zstd: skopeo recompresses busybox's layer; a second, random layer is zstd from the start.
if command -v skopeo >/dev/null; then
  skopeo copy -q --dest-tls-verify=false --format oci --dest-compress-format zstd \
    "oci:$layout:latest" "docker://$reg/z/bb:1"
  skin "$SKIFF_TMP/z1" pull -q "$reg/z/bb:1" >/dev/null || fail "pull of skopeo's zstd image"
  md=$(jq -r ".references[\"$reg/z/bb:1\"]" "$SKIFF_TMP/z1/index.json")
  jq -r '.layers[].mediaType' "$SKIFF_TMP/z1/blobs/sha256/${md#sha256:}" | grep -qx 'application/vnd.oci.image.layer.v1.tar+zstd' ||
    fail "skopeo's image is not zstd: $(cat "$SKIFF_TMP/z1/blobs/sha256/${md#sha256:}")"
  out=$(skin "$SKIFF_TMP/z1" --runroot "$SKIFF_TMP/run" run --rm "$reg/z/bb:1" busybox echo zstd-ok) ||
    fail "run of the zstd image: $out"
  [ "$out" = zstd-ok ] || fail "zstd image printed: $out"
fi
zl=$SKIFF_TMP/zlayout
cp -a "$layout" "$zl"
add_random_layer "$zl" 1 zstd
skin "$SKIFF_TMP/z0" load -i "$zl" >/dev/null
skin "$SKIFF_TMP/z0" tag zlayout "$reg/z/own:1"
skin "$SKIFF_TMP/z0" push -q "$reg/z/own:1"
skin "$SKIFF_TMP/z2" pull -q "$reg/z/own:1" >/dev/null || fail "pull of a zstd layer"
out=$(skin "$SKIFF_TMP/z2" --runroot "$SKIFF_TMP/run" run --rm "$reg/z/own:1" sh -c 'ls /data/random-*.bin | wc -l')
[ "$out" = 1 ] || fail "zstd layer not unpacked: $out"
verify_store "$SKIFF_TMP/z2"

# An index: linux/amd64 is busybox, linux/arm64 the same image with another annotation (so
# another manifest digest). The host's platform is picked unless --platform says otherwise.
sk push -q busybox "$reg/multi/bb:amd64"
man=$layout/blobs/sha256/${want#sha256:}
jq -c '.annotations = {"test.platform": "arm64"}' "$man" >"$SKIFF_TMP/arm.json"
arm="sha256:$(sha256sum <"$SKIFF_TMP/arm.json" | cut -d' ' -f1)"
curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
  --data-binary @"$SKIFF_TMP/arm.json" "http://$reg/v2/multi/bb/manifests/arm64" >/dev/null || fail "put arm64 manifest"
jq -n --arg a "$want" --argjson asz "$(stat -c %s "$man")" --arg b "$arm" --argjson bs "$(stat -c %s "$SKIFF_TMP/arm.json")" \
  '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [
     {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $b, size: $bs, platform: {os: "linux", architecture: "arm64"}},
     {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $a, size: $asz, platform: {os: "linux", architecture: "amd64"}}]}' \
  >"$SKIFF_TMP/index.json"
curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' \
  --data-binary @"$SKIFF_TMP/index.json" "http://$reg/v2/multi/bb/manifests/latest" >/dev/null || fail "put index"
[ "$(uname -m)" = x86_64 ] || skip "index part assumes an amd64 host"
out=$(skin "$SKIFF_TMP/m1" pull "$reg/multi/bb")
echo "$out" | grep -qx "Digest: $want" || fail "host platform not picked from the index: $out"
out=$(skin "$SKIFF_TMP/m2" pull --platform linux/arm64 "$reg/multi/bb")
echo "$out" | grep -qx "Digest: $arm" || fail "--platform linux/arm64 not picked: $out"
if err=$(skin "$SKIFF_TMP/m3" pull --platform linux/s390x "$reg/multi/bb" 2>&1 >/dev/null); then fail "pulled a platform the index lacks"; fi
echo "$err" | grep -q "linux/arm64" && echo "$err" | grep -q "linux/amd64" || fail "unknown platform error: $err"
[ -z "$(ls -A "$SKIFF_TMP/m3/blobs/sha256")" ] || fail "refused pull stored blobs"
echo "PASS: zstd layers (skopeo's and built), index resolved to the host's and --platform's platform"
