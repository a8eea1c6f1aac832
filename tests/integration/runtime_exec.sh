#!/bin/bash
# exec joins every namespace and the cgroup of a running container, with flags applied over
# the container's process (env, cwd, user, tty via proxy), exit codes passed through, -d with
# --pid-file, -p process.json, and refusals for stopped and paused containers.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" sleep 1000
edit_config "$B" '.hostname="exectest"'
id=$(new_id exec)
rt run -d --pid-file "$SKIFF_TMP/init.pid" --bundle "$B" "$id"
init=$(cat "$SKIFF_TMP/init.pid")

# Same namespaces as the init.
for ns in mnt uts ipc net pid; do
  want=$(readlink /proc/$init/ns/$ns)
  got=$(rt exec "$id" sh -c "readlink /proc/self/ns/$ns")
  [ "$got" = "$want" ] || fail "exec $ns namespace $got, init has $want"
done
[ "$(rt exec "$id" hostname)" = exectest ] || fail "exec does not see the container's hostname"
# pid namespace: the container's init is pid 1, and exec sees it.
# (run -d returns once the init is released: its exec of sleep follows)
pid1_is_sleep() { rt exec "$id" sh -c 'cat /proc/1/cmdline' | tr '\0' ' ' | grep -q "sleep 1000"; }
wait_until 30 pid1_is_sleep || fail "exec does not see pid 1"
# Same cgroup as the init (every v1 controller line).
init_cg=$(grep -v -e name= -e '^0::' /proc/$init/cgroup | sort)
exec_cg=$(rt exec "$id" cat /proc/self/cgroup | grep -v -e name= -e '^0::' | sort)
[ "$exec_cg" = "$init_cg" ] || fail "exec cgroup differs: $exec_cg vs $init_cg"

# Exit codes, env, cwd, user.
rc=0; rt exec "$id" sh -c 'exit 42' || rc=$?
[ "$rc" = 42 ] || fail "exec exit code $rc, want 42"
[ "$(rt exec -e FOO=bar "$id" sh -c 'echo $FOO')" = bar ] || fail "exec -e"
[ "$(rt exec --cwd /tmp "$id" pwd)" = /tmp ] || fail "exec --cwd"
[ "$(rt exec -u 65534:65534 "$id" id -u)" = 65534 ] || fail "exec -u"
[ "$(rt exec -u 1000:1000 --additional-gids 5 "$id" id -G)" = "1000 5" ] || fail "exec --additional-gids: $(rt exec -u 1000:1000 -g 5 "$id" id -G)"
# The container's capabilities apply: the same sets as its init (runc spec: 3 capabilities).
for set in CapEff CapBnd CapPrm; do
  got=$(rt exec "$id" sh -c "grep $set /proc/self/status" | awk '{print $2}')
  want=$(grep $set /proc/$init/status | awk '{print $2}')
  [ "$got" = "$want" ] || fail "exec $set $got, init has $want"
done
[ "$(grep CapEff /proc/$init/status | awk '{print $2}')" = 0000000020000420 ] || fail "init CapEff"
[ "$(grep Seccomp: /proc/$init/status | awk '{print $2}')" = "$(rt exec "$id" sh -c 'grep Seccomp: /proc/self/status' | awk '{print $2}')" ] || fail "exec seccomp mode differs"
# --cap adds to the bounding, effective and permitted sets.
[ "$(rt exec --cap CAP_SYS_ADMIN "$id" sh -c 'grep CapEff /proc/self/status' | awk '{print $2}')" = 0000000020200420 ] || fail "exec --cap"
[ "$(rt exec --no-new-privs "$id" sh -c 'grep NoNewPrivs /proc/self/status' | awk '{print $2}')" = 1 ] || fail "--no-new-privs"

# --process: a whole process.json.
cat >"$SKIFF_TMP/process.json" <<'JSON'
{"args":["sh","-c","echo from-process-json $X"],"env":["X=1","PATH=/bin"],"cwd":"/","user":{"uid":0,"gid":0}}
JSON
[ "$(rt exec -p "$SKIFF_TMP/process.json" "$id")" = "from-process-json 1" ] || fail "exec -p"

# -d with --pid-file: the process runs in the container and is not our child.
rt exec -d --pid-file "$SKIFF_TMP/exec.pid" "$id" sleep 77
epid=$(cat "$SKIFF_TMP/exec.pid")
runs_sleep77() { tr '\0' ' ' <"/proc/$epid/cmdline" | grep -q "sleep 77"; }
wait_until 30 runs_sleep77 || fail "exec -d pid file"
[ "$(readlink /proc/$epid/ns/pid)" = "$(readlink /proc/$init/ns/pid)" ] || fail "exec -d pid ns"
rt ps -f json "$id" | jq -e "index($epid)" >/dev/null || fail "exec -d process not in the cgroup"

# -t without a console socket: the pty is proxied to our stdio.
out=$(rt exec -t "$id" sh -c 'tty; echo tty-ok' </dev/null | tr -d '\r')
grep -q '^/dev/pts/' <<<"$out" || fail "exec -t: no tty: $out"
grep -q tty-ok <<<"$out" || fail "exec -t output: $out"

expect_fail "executable file not found" rt exec "$id" no-such-program
rt pause "$id"
expect_fail "cannot exec in a paused container" rt exec "$id" true
rt resume "$id"
rt kill "$id" KILL
wait_until 30 status_is "$id" stopped || fail "$id never stopped: $(rt state "$id" 2>&1)"
expect_fail "cannot exec in a stopped container" rt exec "$id" true
rt delete "$id"
assert_nothing_left "$id" "$B"
echo "PASS: runtime_exec"
