#!/usr/bin/env bash
# Commands at once on the same containers: records stay whole (every read-modify-write holds
# the record's flock, every write is a rename), monitors recording exits race rm -f, stop and
# ps without leaving anything behind or breaking a record.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/skiff_common.bash"
skiff_load_busybox

ids=()
for i in 1 2 3 4 5 6; do ids+=("$(sk run -d --name "c$i" busybox sh -c 'trap "exit 0" TERM; while true; do echo x; sleep 0.05; done')"); done
# Short-lived ones whose monitors record their exits while the rest goes on.
for i in 1 2 3; do sk run -d busybox sh -c "sleep 0.$i" >/dev/null; done

# Readers all the while: every record they see must parse.
( for _ in $(seq 30); do sk ps -a >/dev/null || echo "ps failed"; sk inspect c1 c2 c3 >/dev/null 2>&1 || true; done ) \
  >"$SKIFF_TMP/readers.out" 2>&1 &
# Writers: stop and rm -f racing on the same containers, kill on others.
for i in 1 2 3; do
  (sk stop -t 2 "c$i" >/dev/null 2>&1; sk rm -f "c$i" >/dev/null 2>&1) &
  (sk rm -f "c$i" >/dev/null 2>&1 || true) &
done
for i in 4 5 6; do (sk kill "c$i" >/dev/null 2>&1; sk start "c$i" >/dev/null 2>&1; sk stop -t 2 "c$i" >/dev/null 2>&1) & done
wait # the readers too
[ ! -s "$SKIFF_TMP/readers.out" ] || fail "readers saw errors: $(cat "$SKIFF_TMP/readers.out")"

for i in 1 2 3; do
  sk inspect "c$i" >/dev/null 2>&1 && fail "c$i survived rm -f"
done
for i in 4 5 6; do
  expect_eq "c$i stopped" "$(sk inspect -f '{{.State.Status}}' "c$i")" "exited"
done
sleep 0.5
# The three short-lived ones and c4-c6 (their TERM trap exits 0).
expect_eq "exits recorded" "$(sk ps -a | grep -c 'Exited (0)')" 6
for d in "$SK_ROOT"/containers/*/; do
  jq -e .Id "$d/container.json" >/dev/null || fail "broken record $d/container.json"
done
# shellcheck disable=SC2046
sk rm -f $(sk ps -aq) >/dev/null
expect_eq "nothing left" "$(records) $(mounts_under_root) $(runtime_states)" "0 0 0"
for id in "${ids[@]}"; do expect_eq "cgroup of $id" "$(cgroup_dirs_of "$id")" 0; done
echo "PASS: skiff commands at once"
