#!/bin/bash
# The runtime is killed while create waits (here: on a slow prestart hook). With SIGTERM or
# SIGINT it undoes everything itself; after SIGKILL the next command that touches the id
# finds the half-made container and removes it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" true
edit_config "$B" ".hooks.prestart=[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"touch $SKIFF_TMP/hook-started; sleep 30\"]}]"

wait_hook() {
  for _ in $(seq 200); do [ -e "$SKIFF_TMP/hook-started" ] && return 0; sleep 0.05; done
  fail "hook did not start"
}

for sig in TERM INT; do
  id=$(new_id killed-$sig)
  rm -f "$SKIFF_TMP/hook-started"
  "$SKIFF_RUNTIME" --root "$RT_ROOT" create --bundle "$B" "$id" 2>"$SKIFF_TMP/err" &
  pid=$!
  wait_hook
  [ -d "$RT_ROOT/$id" ] || fail "no state directory while creating"
  kill -$sig $pid
  rc=0; wait $pid || rc=$?
  [ "$rc" -ne 0 ] || fail "create killed by $sig exited 0"
  grep -q "interrupted by signal" "$SKIFF_TMP/err" || fail "error after $sig: $(cat "$SKIFF_TMP/err")"
  assert_nothing_left "$id" "$B"
  ! pgrep -f "sleep 30" >/dev/null || fail "hook left running after $sig"
  echo "ok: create killed by SIG$sig left nothing"
done

id=$(new_id killed-KILL)
rm -f "$SKIFF_TMP/hook-started"
"$SKIFF_RUNTIME" --root "$RT_ROOT" create --bundle "$B" "$id" 2>/dev/null &
pid=$!
wait_hook
kill -KILL $pid
wait $pid 2>/dev/null || true
pkill -f "sleep 30" || true
# The init died with its parent (PDEATHSIG); the state directory and cgroup remain until the
# next command on this id, which must clean them and report the container as absent.
expect_fail "container does not exist" rt state "$id"
sleep 0.2
assert_nothing_left "$id" "$B"
echo "ok: create killed by SIGKILL is cleaned by the next command"
echo "PASS: lifecycle_killed_during_create"
