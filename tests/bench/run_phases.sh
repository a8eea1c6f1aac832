#!/usr/bin/env bash
# Where the milliseconds of one `run` of busybox /bin/true go, skiff-runtime next to crun: N
# interleaved runs of each under `perf trace` watching only a few marker syscalls, then the
# median time between consecutive markers. The markers cost a little (perf traces every call of
# those syscalls), so the totals here run above run_true.sh's; compare rows, not totals.
#   tests/bench/run_phases.sh [N]     (N: default 15)
# Phases, for either runtime:
#   start     the runtime's execve -> its clone of the init (config, cgroup dirs, state dir;
#             crun also re-executes itself from a sealed copy)
#   clone     clone -> pivot_root in the init (namespaces, cgroup join, the config's mounts)
#   finish    pivot_root -> execve of /bin/true (masked and read-only paths, capabilities,
#             sync with the runtime, its state write)
#   process   /bin/true itself: execve -> exit_group
#   teardown  exit_group -> the runtime reaps it (the kernel ends the namespaces)
#   delete    reaped -> the runtime exits (cgroup and state removal)
# Same wrapper as run_true.sh (crun refuses the hybrid cgroup layout). Needs perf (linux-perf).
BENCH_NAME=run_phases.sh BENCH_TAG=phases
. "$(dirname "$0")/bench_lib.bash"
N=${1:-15}
bench_check "$N" "$SKIFF_RUNTIME" "$CRUN"
command -v perf >/dev/null || die "needs perf (apt-get install linux-perf; scripts/setup.sh)"
bench_scratch

names=(skiff crun)
declare -A bin=([skiff]=$SKIFF_RUNTIME [crun]=$CRUN)
markers=execve,execveat,clone,clone3,pivot_root,exit_group,wait4

# phases COMM < perf trace output: one line "start clone finish process teardown delete total"
# in ms. COMM is the runtime's command name as the kernel shows it (15 characters at most).
phases() {
  awk -v rt="$1" '
    # A line: "  TIME ( DUR ms): COMM/PID SYSCALL(...) = RESULT", or "... ARGS) ..." when the
    # line of another task came in between; its end is then a "[continued]" line, skipped
    # here: every marker is taken at its start.
    { if ($1 == "?") next; t = $1 + 0; split($0, a, "): "); split(a[2], b, " ");
      split(b[1], cp, "/"); comm = cp[1]; call = b[2]; sub(/\(.*/, "", call) }
    comm == rt && call ~ /^execve/ && !/ = -1 / && !t0 { t0 = t }
    comm == rt && call ~ /^clone/ && !tc { tc = t }
    call == "pivot_root" && !tp { tp = t }
    comm == "true" && call == "execve" && !tx { tx = t }
    comm == "true" && call == "exit_group" && !te { te = t }
    comm == rt && call == "wait4" && /\(true\)$/ && !tw { tw = t }
    comm == rt && call == "exit_group" { tend = t }
    END {
      if (!(t0 && tc && tp && tx && te && tw && tend)) { print "incomplete"; exit }
      printf "%.3f %.3f %.3f %.3f %.3f %.3f %.3f\n", tc - t0, tp - tc, tx - tp, te - tx,
             tw - te, tend - tw, tend - t0
    }'
}

one() {
  local name=$1 round=$2 comm out
  comm=$(basename "${bin[$name]}"); comm=${comm:0:15}
  out=$(perf trace -e "$markers" -- "${no_unified[@]}" \
    "${bin[$name]}" --root "$tmp/state-$name" run --bundle "$tmp/bundle" "phases-$name-$$-$round" 2>&1) ||
    die "$name run failed in round $round: $out"
  local p; p=$(phases "$comm" <<<"$out")
  [ "$p" != incomplete ] || die "$name: markers missing in round $round: $out"
  echo "$p" >>"$tmp/$name.phases"
}

for name in "${names[@]}"; do one "$name" warmup; : >"$tmp/$name.phases"; done
for ((i = 0; i < N; i++)); do
  for ((k = 0; k < ${#names[@]}; k++)); do one "${names[$(((i + k) % ${#names[@]}))]}" "$i"; done
done

# median COLUMN FILE
median() {
  cut -d' ' -f"$1" "$2" | sort -n | awk '{ v[NR] = $1 } END {
    printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "where the time of one \`run\` of busybox /bin/true goes: medians of $N interleaved runs" \
     "under perf trace, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| phase | skiff ms | crun ms |"
echo "|---|---:|---:|"
col=1
for phase in "start: execve -> clone" "clone -> pivot_root" "finish: pivot_root -> execve" \
             "process: execve -> exit" "teardown: exit -> reaped" "delete: reaped -> exit" \
             "total (sum of medians differs)"; do
  echo "| $phase | $(median $col "$tmp/skiff.phases") | $(median $col "$tmp/crun.phases") |"
  col=$((col + 1))
done
