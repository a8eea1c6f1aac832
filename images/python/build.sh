#!/usr/bin/env bash
# Builds the python test image as an OCI image layout: the Debian release this machine runs,
# bootstrapped with `debootstrap --variant=minbase --include=python3` from the Debian mirror this
# machine's apt uses (no other network), cleaned of apt caches, logs, host files and (as
# Debian's slim images) docs, manuals and translations; owners kept.
#   images/python/build.sh [OUT_DIR]     (default: build/images/python, tag "latest")
# Prints the manifest digest. Exits 75 when the mirror cannot be reached and nothing is cached.
#
# A build takes minutes, so each finished layout is kept in a cache outside the checkout,
# $SKIFF_IMAGE_CACHE/python/KEY (default /var/cache/skiff-images), and copied from there while
# nothing it depends on changed. KEY hashes this recipe, oci_layout.sh, the mirror, suite and
# architecture, and the suite's InRelease file, which pins every package's version. When the
# mirror is unreachable the newest layout cached for this recipe is used. A build removes the
# layouts it supersedes and any unused for 30 days.
# SKIFF_DEBIAN_MIRROR and SKIFF_DEBIAN_SUITE override what apt's sources say;
# `build.sh --mirror` prints the mirror and suite it would use (apt's files read from
# $SKIFF_APT_DIR, default /etc/apt) and stops.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../oci_layout.sh"

apt_dir=${SKIFF_APT_DIR:-/etc/apt}
if [ "${1:-}" != --mirror ]; then out=$(image_out_dir python "${1:-}"); fi
cache_root=${SKIFF_IMAGE_CACHE:-/var/cache/skiff-images}/python
packages=python3

# The first deb source of apt (sources.list, then sources.list.d/*.list and *.sources in
# apt's order) that serves SUITE; prints its URI.
apt_mirror() {
  local suite=$1 f
  for f in "$apt_dir/sources.list" "$apt_dir"/sources.list.d/*; do
    [ -f "$f" ] || continue
    case $f in
      *.list)
        sed -E 's/#.*//; s/\[[^]]*\]//' "$f" | awk -v want="$suite" '$1 == "deb" && $3 == want { print $2; exit }' ;;
      *.sources)
        awk -v want="$suite" '
          function flush(  n, i, s, u) {
            if (types ~ /(^| )deb( |$)/ && enabled != "no") {
              n = split(suites, s, " ")
              for (i = 1; i <= n; i++) if (s[i] == want) { split(uris, u, " "); print u[1]; done = 1; exit }
            }
            types = uris = suites = enabled = ""
          }
          /^[ \t]*#/ { next }
          /^[ \t]*$/ { flush(); next }
          { key = tolower($1); sub(/:$/, "", key); $1 = ""; val = substr($0, 2)
            if (key == "types") types = val; else if (key == "uris") uris = val
            else if (key == "suites") suites = val; else if (key == "enabled") enabled = tolower(val) }
          END { if (!done) flush() }' "$f" ;;
      *) continue ;;
    esac
  done | head -n 1
}

suite=${SKIFF_DEBIAN_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-}")}
[ -n "$suite" ] || image_die "cannot tell the Debian release (no VERSION_CODENAME in /etc/os-release); set SKIFF_DEBIAN_SUITE"
mirror=${SKIFF_DEBIAN_MIRROR:-$(apt_mirror "$suite")}
[ -n "$mirror" ] || image_die "no deb source for $suite in $apt_dir/sources.list{,.d}; set SKIFF_DEBIAN_MIRROR"
mirror=${mirror%/}
if [ "${1:-}" = --mirror ]; then echo "$mirror $suite"; exit 0; fi
arch=$(dpkg --print-architecture)
[ "$arch" = amd64 ] || image_die "the layout is written for amd64, this machine is $arch"

recipe=$(cat "$here/build.sh" "$here/../oci_layout.sh" | sha256sum | cut -c1-16)
# The image's own copy-to-output step: a finished layout is never modified.
publish() {
  local from=$1 tmp
  tmp=$(mktemp -d "${out%/}.copy.XXXXXX")
  cp -a "$from/." "$tmp/"
  rm -rf "$out"
  mv "$tmp" "$out"
  jq -r '.manifests[0].digest' "$out/index.json"
}

mkdir -p "$(dirname "$out")"
if ! release=$(curl -fsS --max-time 30 "$mirror/dists/$suite/InRelease" 2>/dev/null | sha256sum | cut -c1-16); then
  newest=$(ls -td "$cache_root/$recipe"-*/ 2>/dev/null | head -n 1 || true)
  if [ -n "$newest" ] && [ -f "$newest/index.json" ]; then
    echo "python/build.sh: $mirror unreachable; using the cached $(basename "$newest")" >&2
    publish "$newest"
    exit 0
  fi
  echo "python/build.sh: cannot reach the Debian mirror $mirror (dists/$suite/InRelease) and nothing is cached" >&2
  exit 75
fi
key=$recipe-$(printf '%s\n' "$mirror" "$suite" "$arch" "$packages" "$release" | sha256sum | cut -c1-16)
entry=$cache_root/$key
if [ -f "$entry/index.json" ]; then
  touch "$entry"
  publish "$entry"
  exit 0
fi

command -v debootstrap >/dev/null || image_die "debootstrap not found (apt-get install debootstrap)"
[ "$(id -u)" = 0 ] || image_die "debootstrap needs root"
mkdir -p "$cache_root"
image_begin "$entry"
root=$IMAGE_TMP/stage
rmdir "$root"
# Tools that honour them stamp the epoch instead of today, and Python's byte-compiled files
# do not depend on hash randomisation.
if ! env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH="$IMAGE_EPOCH" \
     PYTHONHASHSEED=0 debootstrap --variant=minbase --include="$packages" --components=main \
     --arch="$arch" "$suite" "$root" "$mirror" >"$IMAGE_TMP/debootstrap.log" 2>&1; then
  tail -n 5 "$IMAGE_TMP/debootstrap.log" >&2
  image_die "debootstrap $suite from $mirror failed"
fi

# What a container must not inherit from this build: apt's downloads and lists, logs, caches
# with timestamps, dpkg/debconf backups, the host's name and resolver (the runtime mounts the
# container's own), device nodes (the runtime makes /dev).
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/apt/* "$root"/tmp/* \
  "$root"/var/tmp/* "$root"/var/cache/ldconfig/aux-cache "$root"/var/cache/debconf/*-old \
  "$root"/var/lib/dpkg/*-old "$root"/etc/hostname "$root"/etc/resolv.conf
find "$root/dev" -mindepth 1 -delete
# Logs go; the login records (wtmp, btmp, lastlog) stay as the empty files the packages made.
find "$root/var/log" -type f -name '*.log' -delete
find "$root/var/log" -type f -exec truncate -s 0 {} +
mkdir -p "$root"/var/lib/apt/lists/partial "$root"/var/cache/apt/archives/partial
# Like Debian's slim images: no manuals, info pages, translations or docs other than the
# copyright files (a third of the tree), and dpkg keeps them out of later installs too.
cat >"$root/etc/dpkg/dpkg.cfg.d/skiff-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/locale" -mindepth 1 ! -type d ! -name locale.alias -delete
find "$root/usr/share/doc" "$root/usr/share/locale" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian/*
# The date of the last password change is the day of the build unless pinned.
sed -i -E "s/^([^:]*:[^:]*:)[0-9]+:/\1$((IMAGE_EPOCH / 86400)):/" "$root/etc/shadow"

IMAGE_KEEP_OWNERS=1 write_oci_layout "$root" "$entry" latest '{
  "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"],
  "Cmd": ["python3"]
}' >/dev/null
# Layouts of this recipe for older archive states are superseded; other recipes' (other
# checkouts) stay until unused for 30 days.
find "$cache_root" -mindepth 1 -maxdepth 1 -type d \( -name "$recipe-*" ! -name "$key" -o -mtime +30 \) \
  ! -name '*.build.*' -exec rm -rf {} +
publish "$entry"
