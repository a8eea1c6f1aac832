#!/usr/bin/env bash
# Cold-start benchmark: `RUNTIME run` of one busybox bundle running /bin/true, for skiff-runtime,
# crun and runc, N rounds interleaved (the order rotates every round) so that load on a shared
# machine hits all three alike. Prints per-runtime median, p90 and min wall time and the ratios
# skiff/crun and skiff/runc. A measurement, not a pass/fail test.
#   tests/bench/run_true.sh [N]     (N: $SKIFF_BENCH_ROUNDS or 30; a warm-up round is not counted)
# Runtimes: SKIFF_RUNTIME (default: the build tree's skiff-runtime), CRUN, RUNC. Any may be
# another binary, e.g. SKIFF_RUNTIME=/usr/sbin/runc to check the script itself. SKIFF_BASE=BIN
# adds a "skiff-base" row (another skiff-runtime build, e.g. before a change) to the same rounds.
#
# crun refuses the hybrid cgroup layout of our machines, so every run, of every runtime, goes
# through the same wrapper: a private mount namespace where /sys/fs/cgroup/unified is unmounted.
# The "wrapper" row times that wrapper exec'ing /bin/true on the host: the floor under the rest.
BENCH_NAME=run_true.sh BENCH_TAG=bench
. "$(dirname "$0")/bench_lib.bash"
N=${1:-${SKIFF_BENCH_ROUNDS:-30}}
bench_check "$N" "$SKIFF_RUNTIME" "$CRUN" "$RUNC"
command -v cc >/dev/null || die "needs a C compiler for the timer"
bench_scratch
cc -O2 -o "$tmp/timeit" "$bench_dir/timeit.c"

names=(skiff crun runc wrapper)
declare -A bin=([skiff]=$SKIFF_RUNTIME [crun]=$CRUN [runc]=$RUNC [wrapper]=/bin/true)
# vm mode: the same bundle with run.skiff.isolation=vm (busybox true runs in skiff-vmm).
if [ -c /dev/kvm ]; then
  cp -a "$tmp/bundle" "$tmp/bundle-vm"
  jq '.annotations["run.skiff.isolation"]="vm"' "$tmp/bundle/config.json" >"$tmp/bundle-vm/config.json"
  names=(skiff skiff-vm crun runc wrapper)
  bin[skiff-vm]=$SKIFF_RUNTIME
fi
if [ -n "${SKIFF_BASE:-}" ]; then
  [ -x "$SKIFF_BASE" ] || die "SKIFF_BASE=$SKIFF_BASE: not found or not executable"
  names=(skiff-base "${names[@]}")
  bin[skiff-base]=$SKIFF_BASE
fi

# one NAME ROUND: one timed `run`, each runtime with its own state root under $tmp.
one() {
  local name=$1 round=$2 cmd
  if [ "$name" = wrapper ]; then
    cmd=(/bin/true)
  else
    local bundle=$tmp/bundle
    [ "$name" = skiff-vm ] && bundle=$tmp/bundle-vm
    cmd=("${bin[$name]}" --root "$tmp/state-$name" run --bundle "$bundle" "bench-$name-$$-$round")
  fi
  "$tmp/timeit" -o "$tmp/$name.times" "${no_unified[@]}" "${cmd[@]}" ||
    die "${cmd[*]} failed (exit $?) in round $round"
}

for name in "${names[@]}"; do one "$name" warmup; : >"$tmp/$name.times"; done
for ((i = 0; i < N; i++)); do
  for ((k = 0; k < ${#names[@]}; k++)); do one "${names[$(((i + k) % ${#names[@]}))]}" "$i"; done
done

. "$(dirname "$0")/stats.bash"

echo "cold start of \`run\` of busybox /bin/true: $N interleaved rounds, $(nproc) CPUs," \
     "load $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| runtime | binary | median ms | p90 ms | min ms |"
echo "|---|---|---:|---:|---:|"
declare -A med p90
for name in "${names[@]}"; do
  read -r m p lo < <(stats "$tmp/$name.times" 2)
  med[$name]=$m p90[$name]=$p
  echo "| $name | ${bin[$name]} | $m | $p | $lo |"
done
# The same ratio with the wrapper's median taken off both sides: the runtimes' own time.
net() { awk -v a="$1" -v b="$2" -v w="${med[wrapper]}" 'BEGIN { printf "%.2f", (a - w) / (b - w) }'; }
echo
echo "skiff/crun: median $(ratio "${med[skiff]}" "${med[crun]}"), p90 $(ratio "${p90[skiff]}" "${p90[crun]}"), median net of the wrapper $(net "${med[skiff]}" "${med[crun]}")"
echo "skiff/runc: median $(ratio "${med[skiff]}" "${med[runc]}"), p90 $(ratio "${p90[skiff]}" "${p90[runc]}"), median net of the wrapper $(net "${med[skiff]}" "${med[runc]}")"
if [ -n "${med[skiff-base]:-}" ]; then
  echo "skiff/skiff-base: median $(ratio "${med[skiff]}" "${med[skiff-base]}"), p90 $(ratio "${p90[skiff]}" "${p90[skiff-base]}")"
  echo "skiff-base/crun: median $(ratio "${med[skiff-base]}" "${med[crun]}"), p90 $(ratio "${p90[skiff-base]}" "${p90[crun]}")"
fi
if [ -n "${med[skiff-vm]:-}" ]; then
  echo "skiff-vm/crun: median $(ratio "${med[skiff-vm]}" "${med[crun]}"), p90 $(ratio "${p90[skiff-vm]}" "${p90[crun]}")"
  echo "skiff-vm/runc: median $(ratio "${med[skiff-vm]}" "${med[runc]}"), p90 $(ratio "${p90[skiff-vm]}" "${p90[runc]}")"
fi
