#!/usr/bin/env bash
# `skiff push` as docker does it, against Debian's docker-registry (through registry_proxy.py,
# which logs every request and holds each upload a while): the blobs of a multi-layer image go
# up in parallel and come back intact on a pull; a push to another repository of the same
# registry mounts the blobs (POST ?mount=&from=) instead of uploading them, also when the
# store learnt where they are from a pull; a mount the registry refuses falls back to an upload.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/image_common.bash"
need_cmd python3

layout=$SKIFF_TMP/multi
cp -r "$(busybox_layout)" "$layout"
for _ in 1 2 3; do add_random_layer "$layout" 1; done
sk load -i "$layout" >/dev/null
md=$(jq -r '.manifests[0].digest' "$layout/index.json")
layers=$(jq -r '.layers[].digest' "$layout/blobs/sha256/${md#sha256:}")
[ "$(echo "$layers" | wc -l)" = 4 ] || fail "test image has $(echo "$layers" | wc -l) layers, want 4"

start_registry reg
start_proxy px "$REG_PORT" --requests --delay-upload 1
via=127.0.0.1:$PROXY_PORT
log=$SKIFF_TMP/px.log

# uploads REPO: the blob-upload PUTs the proxy saw for REPO.
uploads() { grep -c "^req PUT /v2/$1/blobs/uploads/" "$log" || true; }

out=$(sk push multi "$via/multi/bb:1")
[ "$(grep -c ': Pushed ' <<<"$out")" = 4 ] || fail "push of 4 layers: $out"
[ "$(uploads multi/bb)" = 5 ] || fail "uploads (4 layers + config): $(uploads multi/bb)"
# In parallel: some two uploads were under way at the same time.
python3 - "$log" <<'PY' || fail "no two uploads overlapped: $(grep '^req PUT' "$log")"
import re, sys
spans = [(float(m.group(1)), float(m.group(2))) for m in
         (re.search(r"t0=([\d.]+) t1=([\d.]+)", l) for l in open(sys.argv[1]) if l.startswith("req PUT /v2/multi/bb/blobs/uploads/"))]
sys.exit(0 if any(a0 < b1 and b0 < a1 for i, (a0, a1) in enumerate(spans) for (b0, b1) in spans[i + 1:]) else 1)
PY

# Back from the registry into an empty store: the same manifest and blobs.
[ "$(skin "$SKIFF_TMP/s2" pull -q "127.0.0.1:$REG_PORT/multi/bb:1")" = "127.0.0.1:$REG_PORT/multi/bb:1" ] || fail "pull back"
[ -f "$SKIFF_TMP/s2/blobs/sha256/${md#sha256:}" ] || fail "pulled manifest is not $md"
for l in $layers; do
  [ "$(sha256sum <"$SKIFF_TMP/s2/blobs/sha256/${l#sha256:}" | cut -d' ' -f1)" = "${l#sha256:}" ] || fail "layer $l differs after the round trip"
done
verify_store "$SKIFF_TMP/s2"

# Another repository of the same registry: every blob mounted, nothing uploaded.
out=$(sk push multi "$via/other/bb:1")
[ "$(grep -c ': Mounted from multi/bb$' <<<"$out")" = 4 ] || fail "push to another repository: $out"
[ "$(uploads other/bb)" = 0 ] || fail "blobs uploaded instead of mounted: $(grep ' /v2/other/bb/' "$log")"
[ "$(grep -c "^req POST /v2/other/bb/blobs/uploads/?mount=sha256:[0-9a-f]*&from=multi/bb 201" "$log")" = 5 ] ||
  fail "mount requests: $(grep ' /v2/other/bb/' "$log")"
curl -sf "http://127.0.0.1:$REG_PORT/v2/other/bb/manifests/1" -H 'Accept: application/vnd.oci.image.manifest.v1+json' |
  jq -e --arg l "$(echo "$layers" | tail -1)" '.layers[-1].digest == $l' >/dev/null || fail "other/bb's manifest"

# A store that pulled the image knows where its blobs are: its push to a third repository
# mounts too (straight to the registry, no proxy).
out=$(skin "$SKIFF_TMP/s2" push "127.0.0.1:$REG_PORT/multi/bb:1" "127.0.0.1:$REG_PORT/third/bb:1")
[ "$(grep -c ': Mounted from multi/bb$' <<<"$out")" = 4 ] || fail "push after pull did not mount: $out"

# A source that lacks the blob: the registry answers the mount with an upload, which is used.
for f in "$STORE"/blob-sources/*; do echo "$via/nothere/x" >"$f"; done
out=$(sk push multi "$via/fourth/bb:1")
[ "$(grep -c ': Pushed ' <<<"$out")" = 4 ] || fail "push after refused mounts: $out"
[ "$(grep -c "^req POST /v2/fourth/bb/blobs/uploads/?mount=.*&from=nothere/x 202" "$log")" = 5 ] || fail "refused mounts: $(grep ' /v2/fourth/bb/' "$log")"
[ "$(uploads fourth/bb)" = 5 ] || fail "uploads after refused mounts: $(uploads fourth/bb)"
skin "$SKIFF_TMP/s3" pull -q "127.0.0.1:$REG_PORT/fourth/bb:1" >/dev/null || fail "pull of fourth/bb"
verify_store "$SKIFF_TMP/s3"
echo "PASS: push uploads in parallel, round trip intact, mounts across repositories, falls back to upload"
