#!/usr/bin/env bash
# Bearer-token auth against Debian's docker-registry configured for token auth, with a token
# server of the test's own (tests/integration/token_server.py): anonymous pulls of a public
# repository get a pull-only token, pushes need credentials (docker's config.json), a push
# without them is refused by the registry, wrong credentials by the token server.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd python3
need_cmd openssl
. "$(dirname "$0")/image_common.bash"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$SKIFF_TMP/key.pem" -out "$SKIFF_TMP/cert.pem" \
  -subj /CN=skiff-test-token -days 1 2>/dev/null
python3 "$SKIFF_SOURCE_DIR/tests/integration/token_server.py" 0 "$SKIFF_TMP/key.pem" "$SKIFF_TMP/cert.pem" \
  "$SKIFF_TMP/token.log" >"$SKIFF_TMP/token.out" 2>&1 &
tpid=$!
cleanup "kill $tpid"
token_port() { head -1 "$SKIFF_TMP/token.out" | grep -qE '^[0-9]+$'; }
wait_until 60 token_port || fail "token server did not start: $(cat "$SKIFF_TMP/token.out")"
tport=$(head -1 "$SKIFF_TMP/token.out")
start_registry reg "token:http://127.0.0.1:$tport/token:$SKIFF_TMP/cert.pem"; port=$REG_PORT
reg=127.0.0.1:$port
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$reg/v2/")" = 401 ] || fail "registry does not ask for a token"

layout=$(busybox_layout)
sk load -i "$layout" >/dev/null
want=$(jq -r '.manifests[0].digest' "$layout/index.json")
export HOME=$SKIFF_TMP/home
unset DOCKER_CONFIG REGISTRY_AUTH_FILE
mkdir -p "$HOME/.docker"

# Anonymous: pull-only tokens, so the registry refuses the upload.
if err=$(sk push busybox "$reg/public/bb:1" 2>&1); then fail "pushed anonymously"; fi
echo "$err" | grep -q "unauthorized (no credentials for $reg)" || fail "anonymous push error: $err"
# Wrong credentials: the token server says no.
printf '{"auths":{"%s":{"auth":"%s"}}}' "$reg" "$(printf skiff:nope | base64)" >"$SKIFF_TMP/bad.json"
if err=$(sk push --authfile "$SKIFF_TMP/bad.json" busybox "$reg/public/bb:1" 2>&1); then fail "pushed with wrong credentials"; fi
echo "$err" | grep -q "token http://127.0.0.1:$tport/token: HTTP 401" || fail "wrong credentials error: $err"

printf '{"auths":{"%s":{"auth":"%s"}}}' "$reg" "$(printf skiff:tokpass | base64)" >"$HOME/.docker/config.json"
sk push -q busybox "$reg/public/bb:1" || fail "push with a token failed"
sk push -q busybox "$reg/private/bb:1" || fail "push to private/ with a token failed"
# docker-registry's challenge lists the actions in Go map order: either order is the same scope.
grep -Eq 'token user=skiff scope=repository:public/bb:(pull,push|push,pull) ' "$SKIFF_TMP/token.log" ||
  fail "no push token asked for: $(cat "$SKIFF_TMP/token.log")"
rm "$HOME/.docker/config.json"

out=$(skin "$SKIFF_TMP/a1" pull -q "$reg/public/bb:1") || fail "anonymous pull of a public repository"
[ "$(jq -r ".references[\"$reg/public/bb:1\"]" "$SKIFF_TMP/a1/index.json")" = "$want" ] || fail "anonymous pull digest"
grep -q 'token user=- scope=repository:public/bb:pull granted=.*"actions":\["pull"\]' "$SKIFF_TMP/token.log" ||
  fail "anonymous token not used: $(cat "$SKIFF_TMP/token.log")"
if err=$(skin "$SKIFF_TMP/a2" pull -q "$reg/private/bb:1" 2>&1); then fail "anonymous pull of a private repository"; fi
echo "$err" | grep -q "unauthorized (no credentials for $reg)" || fail "private pull error: $err"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$reg" "$(printf skiff:tokpass | base64)" >"$SKIFF_TMP/good.json"
skin "$SKIFF_TMP/a3" pull -q --authfile "$SKIFF_TMP/good.json" "$reg/private/bb:1" >/dev/null || fail "authenticated private pull"
check_consistent "$SKIFF_TMP/a3"
echo "PASS: docker-registry token auth: anonymous pull tokens, push tokens from credentials, refusals"
