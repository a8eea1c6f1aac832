#!/usr/bin/env bash
# push and pull through Debian's docker-registry on 127.0.0.1: round trip with digests kept,
# pull by digest, resume of a partial download, a missing tag, basic auth from a credentials
# file, and skopeo reading what skiff pushed.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd docker-registry
need_cmd python3
need_cmd curl
. "$(dirname "$0")/image_common.bash"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_registry NAME [HTPASSWD]: prints the port.
start_registry() {
  local name=$1 htpasswd=${2:-} port
  port=$(free_port)
  mkdir -p "$SKIFF_TMP/$name"
  {
    echo "version: 0.1"
    echo "log: {level: warn}"
    echo "storage: {filesystem: {rootdirectory: $SKIFF_TMP/$name/data}, delete: {enabled: true}}"
    echo "http: {addr: 127.0.0.1:$port}"
    [ -n "$htpasswd" ] && echo "auth: {htpasswd: {realm: skiff-test, path: $htpasswd}}"
  } >"$SKIFF_TMP/$name/config.yml"
  docker-registry serve "$SKIFF_TMP/$name/config.yml" >"$SKIFF_TMP/$name/log" 2>&1 &
  local pid=$!
  cleanup "kill $pid; wait $pid 2>/dev/null"
  for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && { echo "$port"; return; }
    sleep 0.1
  done
  fail "registry $name did not start: $(cat "$SKIFF_TMP/$name/log")"
}

port=$(start_registry open)
reg=127.0.0.1:$port
layout=$(busybox_layout)
image_tool load "$STORE" "$layout" >/dev/null
want=$(jq -r '.manifests[0].digest' "$layout/index.json")

out=$(image_tool push "$STORE" busybox "$reg/test/busybox:1" 2>"$SKIFF_TMP/push.log")
[ "$out" = "$want" ] || fail "push printed $out, want $want"
grep -q ': done ' "$SKIFF_TMP/push.log" || fail "no per-blob progress lines: $(cat "$SKIFF_TMP/push.log")"
# A second push finds every blob there.
image_tool push "$STORE" busybox "$reg/test/busybox:1" 2>"$SKIFF_TMP/push2.log" >/dev/null
[ "$(grep -c 'already present' "$SKIFF_TMP/push2.log")" = 2 ] || fail "re-push uploaded again"

if command -v skopeo >/dev/null; then
  skopeo inspect --tls-verify=false "docker://$reg/test/busybox:1" | jq -e ".Digest == \"$want\"" >/dev/null ||
    fail "skopeo does not see the pushed image"
fi

store2=$SKIFF_TMP/store2
out=$(image_tool pull "$store2" "$reg/test/busybox:1" 2>/dev/null)
[ "$out" = "$reg/test/busybox:1 $want" ] || fail "pull printed $out"
read -r dir _ < <(image_tool bundle "$store2" "$reg/test/busybox:1" c1 copy=1)
[ -x "$dir/rootfs/bin/busybox" ] || fail "pulled image has no /bin/busybox"
image_tool rm "$store2" c1

out=$(image_tool pull "$SKIFF_TMP/store3" "$reg/test/busybox@$want" 2>/dev/null)
[ "$out" = "$reg/test/busybox@$want $want" ] || fail "pull by digest printed $out"

# Resume: half of the layer already downloaded, then a pull completes it.
store4=$SKIFF_TMP/store4
layer=$(jq -r '.layers[0].digest' "$layout/blobs/sha256/${want#sha256:}")
mkdir -p "$store4/tmp"
blob=$layout/blobs/sha256/${layer#sha256:}
head -c $(( $(stat -c %s "$blob") / 2 )) "$blob" >"$store4/tmp/${layer#sha256:}.partial"
image_tool pull "$store4" "$reg/test/busybox:1" >/dev/null 2>&1 || fail "resumed pull failed"
cmp -s "$blob" "$store4/blobs/sha256/${layer#sha256:}" || fail "resumed layer differs"
[ ! -e "$store4/tmp/${layer#sha256:}.partial" ] || fail "partial file left"
# A partial file that is not a prefix of the blob is thrown away and the blob fetched anew.
store5=$SKIFF_TMP/store5
mkdir -p "$store5/tmp"
head -c 1000 /dev/urandom >"$store5/tmp/${layer#sha256:}.partial"
image_tool pull "$store5" "$reg/test/busybox:1" >/dev/null 2>&1 || fail "pull over a bad partial failed"

if err=$(image_tool pull "$SKIFF_TMP/store6" "$reg/test/busybox:nope" 2>&1); then fail "pulled a missing tag"; fi
echo "$err" | grep -q "pull $reg/test/busybox:nope: manifest unknown" || fail "missing tag error: $err"
[ -z "$(ls -A "$SKIFF_TMP/store6/blobs/sha256")" ] || fail "failed pull left blobs"

# Basic auth: htpasswd (bcrypt) on the registry, credentials from a docker config file.
python3 -c 'import crypt; print("skiff:" + crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
  2>/dev/null >"$SKIFF_TMP/htpasswd"
aport=$(start_registry auth "$SKIFF_TMP/htpasswd")
areg=127.0.0.1:$aport
if err=$(image_tool push "$STORE" busybox "$areg/private/bb:1" "$SKIFF_TMP/none.json" 2>&1); then
  fail "pushed without credentials"
fi
echo "$err" | grep -q "$areg: registry wants basic auth; no credentials for it" || fail "no-credentials error: $err"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$areg" "$(printf skiff:s3cret | base64)" >"$SKIFF_TMP/creds.json"
image_tool push "$STORE" busybox "$areg/private/bb:1" "$SKIFF_TMP/creds.json" >/dev/null 2>&1 ||
  fail "push with credentials failed"
out=$(image_tool pull "$SKIFF_TMP/store7" "$areg/private/bb:1" "$SKIFF_TMP/creds.json" 2>/dev/null)
[ "$out" = "$areg/private/bb:1 $want" ] || fail "authenticated pull printed $out"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$areg" "$(printf skiff:wrong | base64)" >"$SKIFF_TMP/bad.json"
if err=$(image_tool pull "$SKIFF_TMP/store8" "$areg/private/bb:1" "$SKIFF_TMP/bad.json" 2>&1); then
  fail "pulled with wrong credentials"
fi
echo "$err" | grep -q "credentials rejected" || fail "wrong-credentials error: $err"
echo "PASS: push/pull through docker-registry (digests, resume, auth, skopeo interop)"
