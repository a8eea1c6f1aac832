# shellcheck shell=bash
# Sourced by the benchmarks: figures from timeit's output files.

# stats FILE [DECIMALS]: "median p90 min" in ms of the wall times in FILE ("<ns> <status>" per
# line, from timeit), nearest-rank p90, DECIMALS places (default 1).
stats() {
  cut -d' ' -f1 "$1" | sort -n | awk -v d="${2:-1}" '
    { v[NR] = $1 / 1e6 }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      p = int(0.9 * NR + 0.999999); if (p < 1) p = 1
      f = "%." d "f"
      printf f " " f " " f "\n", m, v[p], v[1]
    }'
}

# ratio A B: A/B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
