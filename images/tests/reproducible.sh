#!/usr/bin/env bash
# The image recipes are reproducible and well-formed: two builds under a different umask,
# locale, time zone and working directory give byte-identical layouts (so the same manifest
# digest), and each layout's index -> manifest -> config -> layer chain checks out.
set -euo pipefail
images=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/skiff-images.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v jq >/dev/null || { echo "SKIP: needs jq"; exit 77; }

for name in busybox hello-static; do
  case $name in
    busybox) [ -x /bin/busybox ] || { echo "SKIP: needs busybox-static"; exit 77; } ;;
    hello-static) command -v musl-gcc >/dev/null || { echo "SKIP: needs musl-tools"; exit 77; } ;;
  esac
  a=$("$images/$name/build.sh" "$tmp/a/$name")
  b=$(cd "$images/$name" && umask 077 && LC_ALL=C.UTF-8 TZ=Asia/Tokyo ./build.sh "$tmp/b/$name")
  [ "$a" = "$b" ] || fail "$name: manifest digest differs between builds: $a vs $b"
  diff -r "$tmp/a/$name" "$tmp/b/$name" >/dev/null || fail "$name: layouts differ between builds"
  # A rebuild over an existing layout replaces it.
  c=$("$images/$name/build.sh" "$tmp/a/$name")
  [ "$a" = "$c" ] || fail "$name: rebuild in place gave $c, want $a"

  l="$tmp/a/$name"
  blob() { echo "$l/blobs/sha256/${1#sha256:}"; }
  jq -e '.imageLayoutVersion == "1.0.0"' "$l/oci-layout" >/dev/null || fail "$name: oci-layout"
  m=$(jq -r '.manifests[0].digest' "$l/index.json")
  [ "$m" = "$a" ] || fail "$name: index points at $m, build printed $a"
  [ "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$l/index.json")" = latest ] ||
    fail "$name: index does not tag the manifest latest"
  for d in $(find "$l/blobs/sha256" -type f -printf '%f\n'); do
    [ "$(sha256sum "$l/blobs/sha256/$d" | cut -d' ' -f1)" = "$d" ] || fail "$name: blob $d content mismatch"
  done
  [ "$(jq -r .manifests[0].size "$l/index.json")" = "$(stat -c %s "$(blob "$m")")" ] || fail "$name: manifest size"
  cfg=$(jq -r .config.digest "$(blob "$m")")
  layer=$(jq -r '.layers[0].digest' "$(blob "$m")")
  jq -e '.architecture == "amd64" and .os == "linux" and (.config.Cmd | length > 0)
         and (.config.Env | any(startswith("PATH=")))' "$(blob "$cfg")" >/dev/null ||
    fail "$name: config lacks architecture, os, Cmd or PATH"
  diff_id="sha256:$(gzip -dc "$(blob "$layer")" | sha256sum | cut -d' ' -f1)"
  [ "$(jq -r '.rootfs.diff_ids[0]' "$(blob "$cfg")")" = "$diff_id" ] ||
    fail "$name: rootfs.diff_ids[0] is not the uncompressed layer's digest"
  # Every entry owned by root with the one fixed mtime, in sorted order.
  listing=$(tar -tvzf "$(blob "$layer")" --full-time)
  [ -z "$(awk '$2 != "0/0"' <<<"$listing")" ] || fail "$name: layer entries not owned by 0/0"
  [ "$(awk '{print $4" "$5}' <<<"$listing" | sort -u | wc -l)" = 1 ] || fail "$name: layer mtimes vary"
  names=$(tar -tzf "$(blob "$layer")")
  [ "$names" = "$(LC_ALL=C sort <<<"$names")" ] || fail "$name: layer entries not sorted"
  if command -v skopeo >/dev/null; then
    skopeo inspect "oci:$l:latest" >/dev/null || fail "$name: skopeo cannot read the layout"
  fi
  echo "ok: $name $a"
done

# The busybox layer has what the recipe promises.
l="$tmp/a/busybox"
layer=$(jq -r '.layers[0].digest' "$l/blobs/sha256/$(jq -r '.manifests[0].digest' "$l/index.json" | cut -d: -f2)")
listing=$(tar -tvzf "$l/blobs/sha256/${layer#sha256:}")
grep -q '^-rwxr-xr-x .* bin/busybox$' <<<"$listing" || fail "busybox: no executable bin/busybox"
grep -q '^lrwxrwxrwx .* bin/sh -> busybox$' <<<"$listing" || fail "busybox: no bin/sh -> busybox"
[ "$(grep -c ' -> busybox$' <<<"$listing")" = "$(/bin/busybox --list | grep -vcx busybox)" ] ||
  fail "busybox: not one symlink per applet"
grep -q '^drwxrwxrwt .* tmp/$' <<<"$listing" || fail "busybox: /tmp is not 1777"
grep -q ' etc/passwd$' <<<"$listing" && grep -q ' etc/group$' <<<"$listing" || fail "busybox: no passwd/group"

# Refuses to overwrite a directory that is not a layout.
mkdir -p "$tmp/precious" && echo keep >"$tmp/precious/file"
if "$images/busybox/build.sh" "$tmp/precious" 2>/dev/null; then fail "build.sh overwrote a non-layout directory"; fi
[ "$(cat "$tmp/precious/file")" = keep ] || fail "build.sh touched a non-layout directory"
echo "PASS: image recipes are reproducible"
