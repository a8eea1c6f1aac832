#!/usr/bin/env bash
# Start-up of skiff-vmm, measured by the VMM itself (--timing): exec -> main, main -> first guest
# instruction, -> app entry. Prints medians over N runs of the static musl hello.
# usage: unikernel/bench/vm_start.sh [RUNS] (root, /dev/kvm; build dir from $SKIFF_BUILD_DIR)
# Under load, run it with `chrt -f 50` so other processes do not preempt the measurement.
set -euo pipefail
runs=${1:-20}
build=${SKIFF_BUILD_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build}
vmm=$build/unikernel/skiff-vmm
t0=$build/unikernel/exec_t0
prog=$build/tests/programs/hello-musl
[ -x "$prog" ] || prog=$build/tests/programs/hello-glibc
for f in "$vmm" "$t0" "$prog"; do
  [ -x "$f" ] || { echo "vm_start.sh: $f: not built (cmake --build build --target exec_t0 skiff-vmm)" >&2; exit 1; }
done
root=$(mktemp -d /tmp/skiff-bench.XXXXXX)
trap 'rm -rf "$root" "$root.cpuid"' EXIT
cp "$prog" "$root/hello"
for i in $(seq "$runs"); do
  "$t0" "$vmm" --timing --timing-t0 '{t0}' --cpuid-cache "$root.cpuid" --rootfs "$root" -- /hello 2>&1 >/dev/null |
    awk '/exec→main/ {e=$2} /first guest instruction/ {f=$4} /app entry/ {a=$3} END {print e, f, a}'
done | sort -n -k2 | awk -v n="$runs" '
  { e[NR]=$1; f[NR]=$2; a[NR]=$3 }
  END {
    m = int((n + 1) / 2)
    # medians of each column (f is sorted; sort the others by hand)
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) {
      if (e[j] < e[i]) { t = e[i]; e[i] = e[j]; e[j] = t }
      if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    }
    printf "runs %d  median µs: exec→main %.0f  main→first guest instruction %.0f  exec→first guest instruction %.0f  main→app entry %.0f\n", n, e[m], f[m], e[m] + f[m], a[m]
  }'
