#!/usr/bin/env bash
# `skiff push` and `skiff pull` through Debian's docker-registry on 127.0.0.1: round trip with
# digests kept, docker's output, pull by digest, an up-to-date pull, a missing tag, basic auth
# from a credentials file (docker's config.json, $REGISTRY_AUTH_FILE, --authfile, --creds),
# skopeo reading what skiff pushed, and skiff pulling what skopeo pushed.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd python3
. "$(dirname "$0")/image_common.bash"

port=$(start_registry open)
reg=127.0.0.1:$port
layout=$(busybox_layout)
sk load -i "$layout" >/dev/null
want=$(jq -r '.manifests[0].digest' "$layout/index.json")
layer=$(jq -r '.layers[0].digest' "$layout/blobs/sha256/${want#sha256:}")
short=${layer#sha256:}; short=${short:0:12}

out=$(sk push busybox "$reg/test/busybox:1")
[ "$(echo "$out" | head -1)" = "The push refers to repository [$reg/test/busybox]" ] || fail "push header: $out"
echo "$out" | grep -qx "$short: Pushed [0-9.]*[kM]B" || fail "push layer line: $out"
echo "$out" | tail -1 | grep -qx "1: digest: $want size: [0-9]*" || fail "push digest line: $out"
# A second push finds the layer there.
out=$(sk push busybox "$reg/test/busybox:1")
grep -qx "$short: Layer already exists" <<<"$out" || fail "re-push uploaded again: $out"
# docker's one-argument form pushes the image to the registry its name names.
sk tag busybox "$reg/test/self:2"
sk push -q "$reg/test/self:2"
grep -q '"2"' <<<"$(curl -sf "http://$reg/v2/test/self/tags/list")" || fail "push NAME did not push to NAME's registry"

if command -v skopeo >/dev/null; then
  skopeo inspect --tls-verify=false "docker://$reg/test/busybox:1" | jq -e ".Digest == \"$want\"" >/dev/null ||
    fail "skopeo does not see the pushed image"
fi

store2=$SKIFF_TMP/store2
out=$(skin "$store2" pull "$reg/test/busybox:1")
[ "$(echo "$out" | head -1)" = "1: Pulling from test/busybox" ] || fail "pull header: $out"
echo "$out" | grep -qx "$short: Pull complete [0-9.]*[kM]B" || fail "no plain per-layer line off a terminal: $out"
echo "$out" | grep -qx "Digest: $want" || fail "pull digest line: $out"
echo "$out" | grep -qx "Status: Downloaded newer image for $reg/test/busybox:1" || fail "pull status: $out"
[ "$(echo "$out" | tail -1)" = "$reg/test/busybox:1" ] || fail "pull last line: $out"
[ "$(skin "$store2" images -q)" = "$(sk images -q)" ] || fail "pulled image has another id"
out=$(skin "$store2" pull "$reg/test/busybox:1")
echo "$out" | grep -qx "$short: Already exists" || fail "second pull: $out"
echo "$out" | grep -qx "Status: Image is up to date for $reg/test/busybox:1" || fail "second pull status: $out"
for b in "$store2"/blobs/sha256/*; do
  [ "sha256:$(sha256sum <"$b" | cut -d' ' -f1)" = "sha256:$(basename "$b")" ] || fail "blob $b does not match its name"
done

out=$(skin "$SKIFF_TMP/store3" pull -q "$reg/test/busybox@$want")
[ "$out" = "$reg/test/busybox@$want" ] || fail "pull by digest printed $out"
skin "$SKIFF_TMP/store3" images --digests | grep -Eq "^$reg/test/busybox +<none> +$want " ||
  fail "digest pull not listed: $(skin "$SKIFF_TMP/store3" images --digests)"

if err=$(skin "$SKIFF_TMP/store6" pull "$reg/test/busybox:nope" 2>&1 >/dev/null); then fail "pulled a missing tag"; fi
echo "$err" | grep -q "pull $reg/test/busybox:nope: manifest unknown" || fail "missing tag error: $err"
[ -z "$(ls -A "$SKIFF_TMP/store6/blobs/sha256")" ] || fail "failed pull left blobs"
if err=$(sk pull 'Bad/Name' 2>&1); then fail "pulled a bad reference"; fi
echo "$err" | grep -q 'invalid reference "Bad/Name": repository name must be lowercase' || fail "bad reference error: $err"
if err=$(sk pull --platform amd64 "$reg/test/busybox:1" 2>&1); then fail "accepted --platform amd64"; fi
echo "$err" | grep -q 'want OS/ARCH' || fail "bad --platform error: $err"

# skopeo pushes, skiff pulls (the docker schema 2 manifest skopeo writes by default).
if command -v skopeo >/dev/null; then
  skopeo copy -q --dest-tls-verify=false --format v2s2 "oci:$layout:latest" "docker://$reg/from/skopeo:1"
  skin "$SKIFF_TMP/store9" pull -q "$reg/from/skopeo:1" >/dev/null || fail "pull of a skopeo-pushed v2s2 image"
  [ "$(skin "$SKIFF_TMP/store9" images -q)" = "$(sk images -q)" ] || fail "v2s2 pull has another image id"
fi

# Basic auth: htpasswd (bcrypt) on the registry, credentials from docker's config.json format.
python3 -c 'import crypt; print("skiff:" + crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
  2>/dev/null >"$SKIFF_TMP/htpasswd"
aport=$(start_registry auth "$SKIFF_TMP/htpasswd")
areg=127.0.0.1:$aport
export HOME=$SKIFF_TMP/home DOCKER_CONFIG= REGISTRY_AUTH_FILE=
unset DOCKER_CONFIG REGISTRY_AUTH_FILE
mkdir -p "$HOME/.docker"
if err=$(sk push busybox "$areg/private/bb:1" 2>&1); then fail "pushed without credentials"; fi
echo "$err" | grep -q "$areg: registry wants basic auth; no credentials for it" || fail "no-credentials error: $err"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$areg" "$(printf skiff:s3cret | base64)" >"$HOME/.docker/config.json"
sk push -q busybox "$areg/private/bb:1" || fail "push with ~/.docker/config.json failed"
mv "$HOME/.docker/config.json" "$SKIFF_TMP/auth.json"
out=$(REGISTRY_AUTH_FILE=$SKIFF_TMP/auth.json skin "$SKIFF_TMP/store7" pull -q "$areg/private/bb:1")
[ "$out" = "$areg/private/bb:1" ] || fail "pull with REGISTRY_AUTH_FILE printed $out"
skin "$SKIFF_TMP/store7b" pull -q --authfile "$SKIFF_TMP/auth.json" "$areg/private/bb:1" >/dev/null || fail "pull --authfile"
skin "$SKIFF_TMP/store7c" pull -q --creds skiff:s3cret "$areg/private/bb:1" >/dev/null || fail "pull --creds"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$areg" "$(printf skiff:wrong | base64)" >"$SKIFF_TMP/bad.json"
if err=$(skin "$SKIFF_TMP/store8" pull --authfile "$SKIFF_TMP/bad.json" "$areg/private/bb:1" 2>&1); then
  fail "pulled with wrong credentials"
fi
echo "$err" | grep -q "credentials rejected" || fail "wrong-credentials error: $err"
echo "PASS: push/pull through docker-registry (output, digests, auth files, skopeo both ways)"
