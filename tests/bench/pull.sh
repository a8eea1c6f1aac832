#!/usr/bin/env bash
# Pull benchmark: `skiff pull` against `skopeo copy docker://… oci:…` of the same image from
# Debian's docker-registry on 127.0.0.1, N rounds interleaved (the order alternates), each from
# an empty destination. Prints medians, p90 and min, and the ratio skiff/skopeo.
# A measurement, not a pass/fail test.
#   tests/bench/pull.sh [N] [OCI_LAYOUT]
# The image: OCI_LAYOUT (an OCI image layout directory with one image), else the python image
# (images/python/build.sh) when that recipe exists, else busybox (images/busybox/build.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SKIFF_SOURCE_DIR=${SKIFF_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
SKIFF_BUILD_DIR=${SKIFF_BUILD_DIR:-$SKIFF_SOURCE_DIR/build}
SKIFF=${SKIFF:-$SKIFF_BUILD_DIR/runtime/skiff}
N=${1:-${SKIFF_BENCH_ROUNDS:-10}}
layout=${2:-}

die() { echo "pull.sh: $*" >&2; exit 1; }
[[ $N =~ ^[1-9][0-9]*$ ]] || die "N must be a positive number, not '$N'"
[ -x "$SKIFF" ] || die "$SKIFF: not built (cmake --build build --target skiff)"
for c in skopeo docker-registry curl jq python3 cc; do command -v $c >/dev/null || die "needs $c (scripts/setup.sh)"; done

tmp=$(mktemp -d /tmp/skiff-bench-pull.XXXXXX)
reg_pid=
trap '[ -n "$reg_pid" ] && kill $reg_pid 2>/dev/null; rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/timeit" "$here/timeit.c"
. "$here/stats.bash"

if [ -z "$layout" ]; then
  if [ -f "$SKIFF_SOURCE_DIR/images/python/build.sh" ]; then
    layout=$tmp/python
    bash "$SKIFF_SOURCE_DIR/images/python/build.sh" "$layout" >/dev/null
  else
    layout=$tmp/busybox
    bash "$SKIFF_SOURCE_DIR/images/busybox/build.sh" "$layout" >/dev/null
  fi
fi
[ -f "$layout/index.json" ] || die "$layout: not an OCI image layout (no index.json)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$tmp/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $tmp/registry}}
http: {addr: 127.0.0.1:$port}
YML
docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
ref=127.0.0.1:$port/bench/image:1
"$SKIFF" --root "$tmp/src" load -q -i "$layout" 2>/dev/null ||
  die "skiff load of $layout failed"
name=$(jq -r '.references | keys[0]' "$tmp/src/index.json")
"$SKIFF" --root "$tmp/src" push -q "$name" "$ref"
md=$(jq -r '.references | to_entries[0].value' "$tmp/src/index.json")
layers=$(jq '.layers | length' "$tmp/src/blobs/sha256/${md#sha256:}")
bytes=$(jq '[.layers[].size] | add' "$tmp/src/blobs/sha256/${md#sha256:}")

# one NAME: one timed pull into an empty destination.
one() {
  rm -rf "$tmp/dest"
  case $1 in
    skiff) "$tmp/timeit" -o "$tmp/skiff.times" "$SKIFF" --root "$tmp/dest" pull -q "$ref" ;;
    skopeo) "$tmp/timeit" -o "$tmp/skopeo.times" skopeo copy -q --src-tls-verify=false "docker://$ref" "oci:$tmp/dest:image" ;;
  esac
  [ "$(tail -1 "$tmp/$1.times" | cut -d' ' -f2)" = 0 ] || die "$1 pull failed"
}
names=(skiff skopeo)
for n in "${names[@]}"; do one "$n"; : >"$tmp/$n.times"; done # warm-up, not counted
for ((i = 0; i < N; i++)); do
  if ((i % 2)); then one skopeo; one skiff; else one skiff; one skopeo; fi
done

echo "pull of $name ($layers layers, $((bytes / 1000)) kB compressed) from docker-registry on 127.0.0.1:" \
     "$N interleaved rounds, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| puller | median ms | p90 ms | min ms |"
echo "|---|---:|---:|---:|"
declare -A med
for n in "${names[@]}"; do
  read -r m p lo < <(stats "$tmp/$n.times")
  med[$n]=$m
  echo "| $n | $m | $p | $lo |"
done
echo
echo "skiff/skopeo: median $(ratio "${med[skiff]}" "${med[skopeo]}")"
