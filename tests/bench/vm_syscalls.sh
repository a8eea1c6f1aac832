#!/usr/bin/env bash
# vm mode, measured against container mode through skiff-runtime (issue 3 point 6):
#  1. what a syscall costs: tests/programs/syscall_bench (100k getppid, 10k 4 KiB pread of a
#     cached file, 10k clock_gettime, 10k 1-byte writes to /dev/null, 1k listings of /) in ONE
#     bundle, run with `skiff-runtime run` in vm mode and in container mode, R rounds interleaved;
#     medians per call and the ratio vm/container;
#  2. the VMM's memory: peak RSS of skiff-vmm against the guest RAM pages resident, for the static
#     hello (target: overhead under 2 MiB);
#  3. skiff-vmm exec → first guest instruction (target: under 2 ms), from the VMM's --timing.
# A measurement, not a pass/fail test.   tests/bench/vm_syscalls.sh [R] (R: $SKIFF_BENCH_ROUNDS or 5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SKIFF_SOURCE_DIR=${SKIFF_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
SKIFF_BUILD_DIR=${SKIFF_BUILD_DIR:-$SKIFF_SOURCE_DIR/build}
SKIFF_RUNTIME=${SKIFF_RUNTIME:-$SKIFF_BUILD_DIR/runtime/skiff-runtime}
VMM=$SKIFF_BUILD_DIR/unikernel/skiff-vmm
R=${1:-${SKIFF_BENCH_ROUNDS:-5}}

die() { echo "vm_syscalls.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (creates namespaces and cgroups)"
[ -c /dev/kvm ] || die "needs /dev/kvm"
[[ $R =~ ^[1-9][0-9]*$ ]] || die "R must be a positive number, not '$R'"
prog=$SKIFF_BUILD_DIR/tests/programs/syscall_bench-musl
[ -x "$prog" ] || prog=$SKIFF_BUILD_DIR/tests/programs/syscall_bench-glibc
hello=$SKIFF_BUILD_DIR/tests/programs/hello-musl
[ -x "$hello" ] || hello=$SKIFF_BUILD_DIR/tests/programs/hello-glibc
for f in "$SKIFF_RUNTIME" "$VMM" "$prog" "$hello"; do [ -x "$f" ] || die "$f: not built"; done

tmp=$(mktemp -d /tmp/skiff-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
b=$tmp/bundle
mkdir -p "$b/rootfs"/{proc,sys,dev,tmp,etc}
cp "$prog" "$b/rootfs/syscall_bench"
cp "$hello" "$b/rootfs/hello"
head -c 65536 /dev/urandom >"$b/rootfs/syscall_bench.dat"
echo 'root:x:0:0:root:/root:/bin/sh' >"$b/rootfs/etc/passwd"
"$SKIFF_RUNTIME" spec --bundle "$b"
jq '.process.terminal=false | .process.args=["/syscall_bench","100000"]' "$b/config.json" >"$b/c" &&
  mv "$b/c" "$b/config.json"
cp -a "$b" "$tmp/bundle-vm"
jq '.annotations["run.skiff.isolation"]="vm"' "$b/config.json" >"$tmp/bundle-vm/config.json"

# The hybrid cgroup layout of our machines: the same wrapper as run_true.sh, for both modes.
one() { # MODE ROUND
  local bundle=$b
  [ "$1" = vm ] && bundle=$tmp/bundle-vm
  unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' wrapper \
    "$SKIFF_RUNTIME" --root "$tmp/state" run --bundle "$bundle" "bench-sc-$1-$$-$2" >>"$tmp/$1.out" ||
    die "skiff-runtime run in $1 mode failed in round $2"
}
for ((i = 0; i < R; i++)); do
  if ((i % 2)); then one vm "$i"; one container "$i"; else one container "$i"; one vm "$i"; fi
done

# median NAME MODE: the median ns/call of the lines "NAME: X ns/call".
median() {
  grep "^$1: " "$tmp/$2.out" | awk '{print $(NF-1)}' | sort -n |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "syscall cost, skiff-runtime run of the same bundle in both modes: $R interleaved rounds," \
     "$(basename "$prog"), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| call | vm ns/call | container ns/call | vm/container |"
echo "|---|---:|---:|---:|"
for name in getppid "pread 4 KiB" clock_gettime "write /dev/null" "list /"; do
  v=$(median "$name" vm) c=$(median "$name" container)
  echo "| $name | $v | $c | $(awk -v a="$v" -v b="$c" 'BEGIN { printf "%.1f", a / b }') |"
done

echo
echo "VMM memory, static hello ($(basename "$hello")) in a 256 MiB guest, 5 runs:"
for i in 1 2 3 4 5; do
  "$VMM" --rootfs "$tmp/bundle/rootfs" --memory-report -- /hello /etc/passwd 0 2>&1 >/dev/null |
    sed -n 's/^skiff-vmm: memory: //p'
done | sort | uniq -c | sed 's/^ */  /'

echo
# Real-time priority so the other work on a shared machine does not preempt single runs of ~2 ms
# (not for the runs above: a SCHED_FIFO task cannot join a v1 cpu cgroup without RT budget).
rt=()
command -v chrt >/dev/null && chrt -f 50 true 2>/dev/null && rt=(chrt -f 50)
echo "skiff-vmm exec → first guest instruction (static hello, CPUID cached, 20 runs${rt:+, under ${rt[*]}}):"
SKIFF_BUILD_DIR=$SKIFF_BUILD_DIR "${rt[@]}" "$SKIFF_SOURCE_DIR/unikernel/bench/vm_start.sh" 20 | sed 's/^/  /'
