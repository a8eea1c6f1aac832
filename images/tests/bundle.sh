#!/usr/bin/env bash
# images/bundle.sh turns a layout into a runnable bundle: layers unpacked in order with
# whiteouts applied, config.json carrying the image's command, env and user (or given args),
# and clear errors that leave no bundle behind for bad input.
set -euo pipefail
images=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/skiff-bundle.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
for c in jq runc; do command -v $c >/dev/null || { echo "SKIP: needs $c"; exit 77; }; done
[ -x /bin/busybox ] || { echo "SKIP: needs busybox-static"; exit 77; }
bundle() { "$images/bundle.sh" "$@"; }

"$images/busybox/build.sh" "$tmp/busybox" >/dev/null
bundle "$tmp/busybox" "$tmp/b1"
[ -x "$tmp/b1/rootfs/bin/busybox" ] && [ -L "$tmp/b1/rootfs/bin/sh" ] || fail "rootfs lacks bin/busybox or bin/sh"
[ "$(stat -c %a "$tmp/b1/rootfs/tmp")" = 1777 ] || fail "rootfs /tmp mode $(stat -c %a "$tmp/b1/rootfs/tmp")"
jq -e '.process.args == ["sh"] and .process.terminal == false and .root.path == "rootfs"
       and (.process.env | index("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"))
       and .process.cwd == "/"' "$tmp/b1/config.json" >/dev/null || fail "config.json: $(jq -c .process "$tmp/b1/config.json")"

bundle --terminal "$tmp/busybox" "$tmp/b2" -- echo 'two words'
jq -e '.process.args == ["echo", "two words"] and .process.terminal == true' "$tmp/b2/config.json" >/dev/null ||
  fail "args override / --terminal: $(jq -c .process "$tmp/b2/config.json")"

# A two-layer image by hand: the busybox layer, then one that deletes /etc/group (whiteout),
# replaces /bin wholesale (opaque directory) and adds a file; its config runs as "nobody".
l="$tmp/layered"
cp -r "$tmp/busybox" "$l"
mkdir -p "$tmp/l2/etc" "$tmp/l2/bin"
: >"$tmp/l2/etc/.wh.group"; : >"$tmp/l2/bin/.wh..wh..opq"
echo motd >"$tmp/l2/etc/motd"; cp /bin/busybox "$tmp/l2/bin/only"
tar -C "$tmp/l2" -czf "$tmp/l2.tgz" etc bin
l2=$(sha256sum "$tmp/l2.tgz" | cut -d' ' -f1); mv "$tmp/l2.tgz" "$l/blobs/sha256/$l2"
m=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$l/index.json")
c=$(jq -r '.config.digest | sub("sha256:"; "")' "$l/blobs/sha256/$m")
jq -c '.config.User = "nobody" | .config.WorkingDir = "/etc" | .config.Entrypoint = ["/bin/only"]
       | .config.Cmd = ["true"]' "$l/blobs/sha256/$c" >"$tmp/cfg"
c2=$(sha256sum "$tmp/cfg" | cut -d' ' -f1); mv "$tmp/cfg" "$l/blobs/sha256/$c2"
jq -c --arg c "sha256:$c2" --arg l "sha256:$l2" --argjson cs "$(stat -c %s "$l/blobs/sha256/$c2")" \
   --argjson ls "$(stat -c %s "$l/blobs/sha256/$l2")" \
   '.config.digest = $c | .config.size = $cs
    | .layers += [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l, size: $ls}]' \
   "$l/blobs/sha256/$m" >"$tmp/man"
m2=$(sha256sum "$tmp/man" | cut -d' ' -f1); mv "$tmp/man" "$l/blobs/sha256/$m2"
jq -c --arg m "sha256:$m2" --argjson s "$(stat -c %s "$l/blobs/sha256/$m2")" \
   '.manifests[0].digest = $m | .manifests[0].size = $s' "$l/index.json" >"$tmp/idx"
mv "$tmp/idx" "$l/index.json"

bundle "$l" "$tmp/b3"
r="$tmp/b3/rootfs"
[ ! -e "$r/etc/group" ] || fail "whiteout .wh.group did not delete /etc/group"
[ -f "$r/etc/passwd" ] && [ "$(cat "$r/etc/motd")" = motd ] || fail "layer 2 files missing or layer 1 files lost"
[ "$(ls "$r/bin")" = only ] || fail "opaque /bin kept layer 1 entries: $(ls "$r/bin" | head -3)"
! find "$r" -name '.wh.*' | grep -q . || fail "whiteout files left in the rootfs"
jq -e '.process.args == ["/bin/only", "true"] and .process.cwd == "/etc"
       and .process.user.uid == 65534 and .process.user.gid == 65534' "$tmp/b3/config.json" >/dev/null ||
  fail "Entrypoint+Cmd, WorkingDir, User: $(jq -c .process "$tmp/b3/config.json")"

# Bad input: one-line errors, no bundle left behind.
expect_error() {
  local want=$1; shift
  local err
  if err=$(bundle "$@" 2>&1); then fail "bundle.sh $* succeeded"; fi
  [[ $err == *"$want"* ]] || fail "bundle.sh $*: error '$err' does not say '$want'"
  [ "$(wc -l <<<"$err")" = 1 ] || fail "bundle.sh $*: error is not one line: $err"
}
expect_error "not an OCI image layout" /etc "$tmp/bad1"
[ ! -e "$tmp/bad1" ] || fail "bundle left behind for a non-layout"
expect_error "exists and is not empty" "$tmp/busybox" "$tmp/b1"
expect_error "no manifest tagged v9" --tag v9 "$tmp/busybox" "$tmp/bad2"
[ ! -e "$tmp/bad2" ] || fail "bundle left behind for a missing tag"
cp -r "$tmp/busybox" "$tmp/corrupt"
layer=$(find "$tmp/corrupt/blobs/sha256" -type f -size +100k)
printf 'x' >>"$layer"
expect_error "content does not match its digest" "$tmp/corrupt" "$tmp/bad3"
[ ! -e "$tmp/bad3" ] || fail "bundle left behind for a corrupt layer"

# And the result runs: the hello-static image under runc, when we may.
if [ "$(id -u)" = 0 ] && command -v musl-gcc >/dev/null; then
  "$images/hello-static/build.sh" "$tmp/hello" >/dev/null
  bundle "$tmp/hello" "$tmp/b4" -- /hello 7 from a bundle
  rc=0; out=$(runc --root "$tmp/runc" run --bundle "$tmp/b4" "skiff-bundle-test-$$" 2>"$tmp/err") || rc=$?
  [ "$rc" = 7 ] || fail "hello exit code $rc, want 7"
  [ "$out" = "hello from skiff from a bundle" ] || fail "hello stdout: $out"
  [ "$(cat "$tmp/err")" = "hello-static: this line is on stderr" ] || fail "hello stderr: $(cat "$tmp/err")"
fi
echo "PASS: bundle.sh"
