#!/bin/bash
# The runtime is killed while create waits (here: on a slow prestart hook). With SIGTERM or
# SIGINT it undoes everything itself; after SIGKILL the next command that touches the id
# finds the half-made container and removes it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" true
hook='echo $$ >'"$SKIFF_TMP"'/hook-started.tmp; mv '"$SKIFF_TMP"'/hook-started.tmp '"$SKIFF_TMP"'/hook-started; sleep 30'
edit_config "$B" ".hooks.prestart=[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",$(jq -Rn --arg h "$hook" '$h')]}]"

wait_hook() {
  wait_until 60 test -e "$SKIFF_TMP/hook-started" || fail "hook did not start"
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
  ! kill -0 "$(cat "$SKIFF_TMP/hook-started")" 2>/dev/null || fail "hook left running after $sig"
  echo "ok: create killed by SIG$sig left nothing"
done

# SIGKILL: the runtime cannot undo anything itself. Its init must die with it (it waits on the
# sync socket with PR_SET_PDEATHSIG); the state directory and cgroup stay until the next command
# on the id, which removes them: `list` (which must not show it), `state`, `delete` (both
# "does not exist", like runc), or a `create` of the same id (which then succeeds). runc
# leaves the prestart hook running, and so do we: the test kills its process group.
B2="$SKIFF_TMP/bundle2"
make_bundle "$B2" sleep 1000
B3="$SKIFF_TMP/bundle3"
cp -a "$B" "$B3"
edit_config "$B3" '.linux.namespaces += [{"type":"user"}] |
  .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] |
  .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
chmod 755 "$SKIFF_TMP"

# cgroup_procs ID: the pids in every cgroup of the container (none when it has none left).
# find fails when a cgroup (another job's, or this one being removed) vanishes under it.
cgroup_procs() { find /sys/fs/cgroup -maxdepth 4 -type d -name "*$1*" -exec cat {}/cgroup.procs \; 2>/dev/null || true; }

kill_create() { # BUNDLE ID
  rm -f "$SKIFF_TMP/hook-started"
  "$SKIFF_RUNTIME" --root "$RT_ROOT" create --bundle "$1" "$2" 2>/dev/null &
  local pid=$!
  wait_hook
  [ -n "$(cgroup_procs "$2")" ] || fail "no init in the cgroup while creating"
  kill -KILL $pid
  wait $pid 2>/dev/null || true
  kill -KILL -- "-$(cat "$SKIFF_TMP/hook-started")" 2>/dev/null || true
  local left= cid=$2
  wait_until 30 eval '[ -z "$(cgroup_procs "$cid")" ]' || true
  left=$(cgroup_procs "$2")
  [ -z "$left" ] || fail "init $left outlived the killed create of $2"
  [ -d "$RT_ROOT/$2" ] || fail "state directory of the killed create vanished before any command"
}

for next in list state delete create; do
  for bundle in "$B" "$B3"; do
    id=$(new_id killed-KILL-$next)
    kill_create "$bundle" "$id"
    case $next in
      list)
        out=$(rt list -q)
        ! grep -qF "$id" <<<"$out" || fail "list shows the killed create: $out" ;;
      state|delete)
        expect_fail "container does not exist" rt $next "$id" ;;
      create)
        rt create --bundle "$B2" "$id" || fail "create of the id of a killed create"
        [ "$(rt_status "$id")" = created ] || fail "recreated container: $(rt state "$id")"
        rt delete --force "$id" ;;
    esac
    assert_nothing_left "$id" "$bundle"
    echo "ok: create ($(basename "$bundle")) killed by SIGKILL left no process; cleaned by $next"
  done
done
echo "PASS: lifecycle_killed_during_create"
