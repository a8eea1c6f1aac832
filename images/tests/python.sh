#!/usr/bin/env bash
# The python image (images/python/build.sh) builds from the Debian mirror apt uses, or comes
# from the cache when nothing changed, and runs: a bundle made from it by the image library
# runs `python3 -c 'print(6*7)'` in container mode through skiff-runtime. The layer keeps
# Debian's owners and carries none of the build's apt lists, logs or host files.
. "$(dirname "$0")/../../tests/integration/lib.sh"
need_root
. "$SKIFF_SOURCE_DIR/tests/integration/image_common.bash"
need_image_run
need_cmd debootstrap
need_cmd curl
build=$SKIFF_SOURCE_DIR/images/python/build.sh

# The mirror is the first deb source for the release in apt's one-line and deb822 files.
apt=$SKIFF_TMP/apt
mkdir -p "$apt/sources.list.d"
printf '# deb http://no/ bookworm main\ndeb-src http://src/ bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://one/debian/ bookworm main\n' >"$apt/sources.list"
[ "$(SKIFF_APT_DIR=$apt SKIFF_DEBIAN_SUITE=bookworm bash "$build" --mirror)" = "http://one/debian bookworm" ] ||
  fail "one-line sources: $(SKIFF_APT_DIR=$apt SKIFF_DEBIAN_SUITE=bookworm bash "$build" --mirror 2>&1)"
rm "$apt/sources.list"
printf 'Types: deb\nURIs: http://off/\nSuites: bookworm\nEnabled: no\n\n# c\nTypes: deb-src deb\nURIs: http://two/debian http://three/\nSuites: bookworm-updates bookworm\n' \
  >"$apt/sources.list.d/a.sources"
[ "$(SKIFF_APT_DIR=$apt SKIFF_DEBIAN_SUITE=bookworm bash "$build" --mirror)" = "http://two/debian bookworm" ] ||
  fail "deb822 sources: $(SKIFF_APT_DIR=$apt SKIFF_DEBIAN_SUITE=bookworm bash "$build" --mirror 2>&1)"
err=$(SKIFF_APT_DIR=$apt SKIFF_DEBIAN_SUITE=trixie bash "$build" --mirror 2>&1) && fail "no source for trixie, yet: $err"
[[ $err == *"no deb source for trixie"* ]] || fail "no source for trixie: $err"

start=$(date +%s.%N)
rc=0; digest=$(bash "$build" "$SKIFF_TMP/python" 2>"$SKIFF_TMP/build.err") || rc=$?
[ "$rc" = 75 ] && skip "$(cat "$SKIFF_TMP/build.err")"
[ "$rc" = 0 ] || fail "python/build.sh exit $rc: $(tail -5 "$SKIFF_TMP/build.err")"
first=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
# Nothing changed: the second build is a copy from the cache, with the same digest.
start=$(date +%s.%N)
again=$(bash "$build" "$SKIFF_TMP/python2")
second=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
[ "$again" = "$digest" ] || fail "second build gave $again, first $digest"
awk -v t="$second" 'BEGIN { exit !(t < 30) }' || fail "second (cached) build took ${second}s"
echo "python image $digest: first build ${first}s, cached ${second}s"

l=$SKIFF_TMP/python
m=$(jq -r '.manifests[0].digest' "$l/index.json")
[ "$m" = "$digest" ] || fail "index names $m, build printed $digest"
cfg=$(jq -r .config.digest "$l/blobs/sha256/${m#sha256:}")
jq -e '.config.Cmd == ["python3"] and (.config.Env | index("LANG=C.UTF-8"))' "$l/blobs/sha256/${cfg#sha256:}" >/dev/null ||
  fail "config: $(jq -c .config "$l/blobs/sha256/${cfg#sha256:}")"
layer=$(jq -r '.layers[0].digest' "$l/blobs/sha256/${m#sha256:}")
listing=$(tar -tvzf "$l/blobs/sha256/${layer#sha256:}")
grep -qE '^-rw-r----- 0/42 .* etc/shadow$' <<<"$listing" || fail "etc/shadow lost its shadow group: $(grep etc/shadow <<<"$listing")"
for junk in 'etc/resolv.conf' 'etc/hostname' 'var/lib/apt/lists/.*_Packages' 'var/cache/apt/archives/.*\.deb' \
            'var/log/dpkg.log' 'var/log/apt/.+' 'dev/null' 'usr/share/man/.+' 'usr/share/locale/.+\.mo' \
            'usr/share/doc/[^/]+/changelog.*'; do
  ! grep -qE " $junk\$" <<<"$listing" || fail "the layer carries $junk"
done
grep -q ' etc/dpkg/dpkg.cfg.d/skiff-slim$' <<<"$listing" || fail "no dpkg config keeping docs out"
grep -q ' usr/share/doc/python3/copyright$' <<<"$listing" || fail "copyright files pruned too"

image_tool load "$STORE" "$l" python >/dev/null
out=$(run_image "$(new_id python)" python "python3 -c 'import json, sqlite3, ssl; print(6*7)'")
[ "$out" = 42 ] || fail "python3 printed: $out"
echo "PASS: python image built from the Debian mirror runs python3 in a container"
