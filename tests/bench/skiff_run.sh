#!/usr/bin/env bash
# What a docker user waits for: `skiff run --rm busybox true` against `podman run --rm` (with
# crun) of the same image, N rounds interleaved (the order alternates every round), each engine
# with a private store. Prints medians, p90, min and the ratio. A measurement, not a test.
#   tests/bench/skiff_run.sh [N]     (N: $SKIFF_BENCH_ROUNDS or 20; a warm-up round is not counted)
# Binaries: SKIFF_CLI (default: the build tree's skiff), CRUN.
#
# crun refuses our hybrid cgroup layout, so both engines run in a mount namespace without
# /sys/fs/cgroup/unified (the same wrapper for both; skiff does not need it). Both run with no
# network (skiff's default, podman --network none).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/lib.sh"
. "$here/../integration/peers_lib.sh"
. "$here/../integration/skiff_common.bash"
N=${1:-${SKIFF_BENCH_ROUNDS:-20}}
CRUN=${CRUN:-$(command -v crun || echo /usr/bin/crun)}
[[ $N =~ ^[1-9][0-9]*$ ]] || fail "N must be a positive number, not '$N'"
need_cmd cc
[ -x "$CRUN" ] || fail "$CRUN: not found (set CRUN)"
cc -O2 -o "$SKIFF_TMP/timeit" "$here/timeit.c"
no_unified=(unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' no-unified)
SKIFF_RUNTIME=$CRUN # podman_setup's default runtime
podman_setup
skiff_load_busybox

names=(skiff podman)
one() {
  local name=$1 round=$2 cmd
  case $name in
    skiff) cmd=("${no_unified[@]}" "$SKIFF_CLI" --root "$SK_ROOT" --runroot "$SK_RUNROOT" run --rm busybox true) ;;
    podman) cmd=("${no_unified[@]}" "${PODMAN[@]}" --runtime "$CRUN" run "${PODMAN_RUN_FLAGS[@]}"
                 --rm --network none "$PODMAN_IMAGE" true) ;;
  esac
  "$SKIFF_TMP/timeit" -o "$SKIFF_TMP/$name.times" "${cmd[@]}" || fail "$name failed (exit $?) in round $round"
}
for name in "${names[@]}"; do one "$name" warmup; : >"$SKIFF_TMP/$name.times"; done
for ((i = 0; i < N; i++)); do
  for ((k = 0; k < 2; k++)); do one "${names[$(((i + k) % 2))]}" "$i"; done
done
expect_eq "skiff containers left" "$(records)" 0

stats() {
  cut -d' ' -f1 "$1" | sort -n | awk '
    { v[NR] = $1 / 1e6 }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      p = int(0.9 * NR + 0.999999); if (p < 1) p = 1
      printf "%.1f %.1f %.1f\n", m, v[p], v[1]
    }'
}
echo "\`run --rm busybox true\`: $N interleaved rounds, $(nproc) CPUs," \
     "load $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| engine | command | median ms | p90 ms | min ms |"
echo "|---|---|---:|---:|---:|"
declare -A med
for name in "${names[@]}"; do
  read -r m p lo < <(stats "$SKIFF_TMP/$name.times")
  med[$name]=$m
  case $name in
    skiff) what="skiff run --rm busybox true" ;;
    podman) what="podman --runtime crun run --rm --network none busybox true" ;;
  esac
  echo "| $name | \`$what\` | $m | $p | $lo |"
done
echo
echo "skiff/podman: median $(awk -v a="${med[skiff]}" -v b="${med[podman]}" 'BEGIN { printf "%.3f", a / b }')"
