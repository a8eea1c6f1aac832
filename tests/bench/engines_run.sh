#!/usr/bin/env bash
# What a user waits for: `podman run --rm IMAGE true` and `ctr run --rm IMAGE ID true` with
# skiff-runtime, crun and runc as the engine's runtime, N rounds interleaved (order rotating).
# Private podman and containerd instances as in tests/integration. Prints medians, p90, and
# ratios to crun and runc. A measurement, not a pass/fail test.
#   tests/bench/engines_run.sh [N]     (N: $SKIFF_BENCH_ROUNDS or 15; a warm-up round is not counted)
# Runtimes: SKIFF_RUNTIME (default: the build tree's skiff-runtime), CRUN, RUNC.
#
# crun refuses our hybrid cgroup layout, so every podman call and the containerd daemon (and so
# its shims and runtimes) run in a mount namespace without /sys/fs/cgroup/unified, for all three.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/lib.sh"
. "$here/../integration/peers_lib.sh"
N=${1:-${SKIFF_BENCH_ROUNDS:-15}}
CRUN=${CRUN:-$(command -v crun || echo /usr/bin/crun)}
RUNC=${RUNC:-$(command -v runc || echo /usr/sbin/runc)}
[[ $N =~ ^[1-9][0-9]*$ ]] || fail "N must be a positive number, not '$N'"
need_root
need_cmd cc
need_runtime
for rt in "$CRUN" "$RUNC"; do [ -x "$rt" ] || fail "$rt: not found (set CRUN, RUNC)"; done

cc -O2 -o "$SKIFF_TMP/timeit" "$here/timeit.c"
no_unified=(unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' no-unified)
podman_setup
CTR_WRAPPER=("${no_unified[@]}")
containerd_setup

names=(skiff crun runc)
declare -A bin=([skiff]=$SKIFF_RUNTIME [crun]=$CRUN [runc]=$RUNC)

# one ENGINE NAME ROUND: one timed `run --rm` of /bin/true.
one() {
  local engine=$1 name=$2 round=$3 cmd
  case $engine in
    podman) cmd=("${no_unified[@]}" "${PODMAN[@]}" --runtime "${bin[$name]}" run "${PODMAN_RUN_FLAGS[@]}"
                 --rm --network none "$PODMAN_IMAGE" true) ;;
    ctr) cmd=(ctr --address "$CTR_DIR/containerd.sock" --namespace "$CTR_NS" run --rm --null-io
              --runc-binary "${bin[$name]}" --runc-root "$CTR_DIR/root-$name" "$CTR_IMAGE"
              "bench-$name-$round" true) ;;
  esac
  "$SKIFF_TMP/timeit" -o "$SKIFF_TMP/$engine-$name.times" "${cmd[@]}" ||
    fail "$engine with ${bin[$name]} failed (exit $?) in round $round"
}

for engine in podman ctr; do
  for name in "${names[@]}"; do one "$engine" "$name" warmup; : >"$SKIFF_TMP/$engine-$name.times"; done
done
for ((i = 0; i < N; i++)); do
  for engine in podman ctr; do
    for ((k = 0; k < 3; k++)); do one "$engine" "${names[$(((i + k) % 3))]}" "$i"; done
  done
done

. "$here/stats.bash"

echo "\`run --rm\` of busybox /bin/true through the engines: $N interleaved rounds, $(nproc) CPUs," \
     "load $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| engine | runtime | binary | median ms | p90 ms | min ms |"
echo "|---|---|---|---:|---:|---:|"
declare -A med
for engine in podman ctr; do
  for name in "${names[@]}"; do
    read -r m p lo < <(stats "$SKIFF_TMP/$engine-$name.times")
    med[$engine-$name]=$m
    echo "| $engine | $name | ${bin[$name]} | $m | $p | $lo |"
  done
done
echo
for engine in podman ctr; do
  echo "$engine: skiff/crun $(ratio "${med[$engine-skiff]}" "${med[$engine-crun]}")," \
       "skiff/runc $(ratio "${med[$engine-skiff]}" "${med[$engine-runc]}") (medians)"
done
