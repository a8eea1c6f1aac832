#!/usr/bin/env bash
# Commands at once on the same containers: records stay whole (every read-modify-write holds
# the record's flock, every write is a rename), monitors recording exits race rm -f, stop and
# ps without leaving anything behind or breaking a record.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/skiff_common.bash"
skiff_load_busybox

# Names that are not hex: a reference that names no container is an id prefix, as in docker,
# so `rm -f c1` after c1 is gone would remove a container whose id starts with c1.
ids=()
for i in 1 2 3 4 5 6; do ids+=("$(sk run -d --name "w$i" busybox sh -c 'trap "exit 0" TERM; echo up; while true; do echo x; sleep 0.05; done')"); done
# Short-lived ones whose monitors record their exits while the rest goes on.
for i in 1 2 3; do sk run -d busybox sh -c "sleep 0.$i" >/dev/null; done

# Readers all the while: every record they see must parse.
( for _ in $(seq 30); do sk ps -a >/dev/null || echo "ps failed"; sk inspect w1 w2 w3 >/dev/null 2>&1 || true; done ) \
  >"$SKIFF_TMP/readers.out" 2>&1 &
# Writers: stop and rm -f racing on the same containers, kill on others.
for i in 1 2 3; do
  (sk stop -t 2 "w$i" >/dev/null 2>&1; sk rm -f "w$i" >/dev/null 2>&1) &
  (sk rm -f "w$i" >/dev/null 2>&1 || true) &
done
# kill returns once the signal is sent (docker's too); start before the monitor has recorded
# the exit would find the container still running and do nothing. The restarted one must have
# set its TERM trap (said "up" a second time) before stop, or it ends by SIGKILL (137).
ups() { sk logs "$1" 2>/dev/null | grep -c '^up$'; }
started_twice() { [ "$(ups "$1")" -ge 2 ]; }
for i in 4 5 6; do
  (sk kill "w$i" >/dev/null 2>&1
   wait_until 60 state_is "w$i" exited
   sk start "w$i" >/dev/null 2>&1
   wait_until 60 started_twice "w$i"
   sk stop -t 2 "w$i" >/dev/null 2>&1) &
done
wait # the readers too
[ ! -s "$SKIFF_TMP/readers.out" ] || fail "readers saw errors: $(cat "$SKIFF_TMP/readers.out")"

for i in 1 2 3; do
  sk inspect "w$i" >/dev/null 2>&1 && fail "w$i survived rm -f"
done
for i in 4 5 6; do
  expect_eq "w$i stopped" "$(sk inspect -f '{{.State.Status}}' "w$i")" "exited"
done
# The three short-lived ones and w4-w6 (their TERM trap exits 0).
exits() { sk ps -a | grep -c 'Exited (0)' || true; }
six_exits() { [ "$(exits)" = 6 ]; }
wait_until 60 six_exits || fail "exits recorded: $(exits), want 6: $(sk ps -a)"
for d in "$SK_ROOT"/containers/*/; do
  jq -e .Id "$d/container.json" >/dev/null || fail "broken record $d/container.json"
done
# shellcheck disable=SC2046
sk rm -f $(sk ps -aq) >/dev/null
expect_eq "nothing left" "$(records) $(mounts_under_root) $(runtime_states)" "0 0 0"
for id in "${ids[@]}"; do expect_eq "cgroup of $id" "$(cgroup_dirs_of "$id")" 0; done
echo "PASS: skiff commands at once"
