#!/usr/bin/env bash
# Detached containers: `run -d` returns at once and the container keeps running under its
# monitor after the CLI has exited; ps, logs (-f ends when the container does), exec, stop,
# kill, start, rm; names, id prefixes and docker's errors; create + start.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/skiff_common.bash"
skiff_load_busybox

id=$(sk run -d --name web busybox sh -c 'i=0; while true; do echo out $i; echo err $i >&2; i=$((i+1)); sleep 0.1; done')
expect_eq "run -d prints the full id" "${#id}" 64
[[ $id =~ ^[0-9a-f]{64}$ ]] || fail "id is not 64 hex digits: $id"
wait_until 30 logs_have web "err 0" || fail "no output of web: $(sk logs web 2>&1)"
ps_out=$(sk ps)
expect_contains "ps header" "$ps_out" "CONTAINER ID   IMAGE     COMMAND"
expect_contains "ps row" "$ps_out" "${id:0:12}   busybox"
expect_contains "ps status" "$ps_out" "Up "
expect_contains "ps name" "$ps_out" " web"
expect_eq "ps -q" "$(sk ps -q)" "${id:0:12}"
expect_eq "ps -q --no-trunc" "$(sk ps -q --no-trunc)" "$id"
expect_eq "inspect by name" "$(sk inspect -f '{{.Id}}' web)" "$id"
expect_eq "inspect by prefix" "$(sk inspect -f '{{.Name}}' "${id:0:5}")" "/web"
expect_eq "inspect state" "$(sk inspect -f '{{.State.Status}} {{.State.Running}}' web)" "running true"
pid=$(sk inspect -f '{{.State.Pid}}' web)
kill -0 "$pid" || fail "container pid $pid is not alive"
expect_eq "inspect is a JSON array" "$(sk inspect web | jq -r '.[0].Config.Cmd[0] + " " + .[0].Path')" "sh sh"

# The monitor is no child of ours and holds no terminal.
mon=$(fuser "$SK_ROOT/containers/$id/monitor.lock" 2>/dev/null | tr -d ' ')
[ -n "$mon" ] || fail "no monitor holds monitor.lock"
[ "$(ps -o sid= -p "$mon" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ] || fail "monitor in our session"
expect_eq "monitor has no terminal" "$(ps -o tty= -p "$mon" | tr -d ' ')" "?"
expect_eq "monitor's parent is not us" "$(ps -o ppid= -p "$mon" | grep -c "^ *$$\$" || true)" 0

# Logs: streams apart, --tail, -t.
expect_contains "logs stdout" "$(sk logs web 2>/dev/null | head -1)" "out 0"
expect_contains "logs stderr" "$(sk logs web 2>&1 >/dev/null | head -1)" "err 0"
expect_eq "logs --tail 1 (of both streams)" "$(sk logs --tail 1 web 2>&1 | wc -l)" 1
[[ $(sk logs -t --tail 1 web 2>&1) =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\ (out|err)\ [0-9]+$ ]] ||
  fail "logs -t: $(sk logs -t --tail 1 web 2>&1)"

# exec: output, exit code, flags.
expect_eq "exec output" "$(sk exec web echo hi)" "hi"
expect_rc "exec exit code" 7 sk exec web sh -c 'exit 7'
expect_rc "exec command not found" 127 sk exec web no-such-command
expect_eq "exec -e -w -u" "$(sk exec -e X=1 -w /tmp -u nobody web sh -c 'echo $X $(pwd) $(id -un)')" "1 /tmp nobody"
expect_eq "exec -i" "$(echo piped | sk exec -i web cat)" "piped"
sk exec -d web sh -c 'echo detached >/tmp/marker'
wait_until 30 sk exec web test -s /tmp/marker || fail "exec -d never wrote its marker"
expect_eq "exec -d" "$(sk exec web cat /tmp/marker)" "detached"

# Names and errors in docker's words.
err=$(sk run -d --name web busybox true 2>&1) && fail "second container named web was created"
expect_contains "name conflict" "$err" 'Conflict. The container name "/web" is already in use by container "'"$id"'"'
expect_rc "name conflict exit code" 125 sk run -d --name web busybox true
err=$(sk inspect nosuch 2>&1) && fail "inspect of a missing container succeeded"
expect_contains "missing container (docker: a name that is neither container nor image)" "$err" "Error: No such object: nosuch"
expect_rc "rm of a running container" 1 sk rm web
expect_contains "rm running message" "$(sk rm web 2>&1)" "You cannot remove a running container $id"
expect_rc "bad name" 125 sk run -d --name 'bad name' busybox true
# Names are claimed atomically: of several racing for one name exactly one wins.
for i in 1 2 3 4; do (sk run -d --name race busybox sleep 100 >/dev/null 2>&1 || true) & done
wait
expect_eq "one winner of a name race" "$(sk ps -q --no-trunc | wc -l)" 2

# logs -f follows and ends when the container does.
fid=$(sk run -d busybox sh -c 'for i in 1 2 3; do echo tick $i; sleep 0.2; done')
expect_eq "logs -f" "$(timeout 60 "$SKIFF_CLI" --root "$SK_ROOT" --runroot "$SK_RUNROOT" logs -f "$fid")" \
  "$(printf 'tick 1\ntick 2\ntick 3')"
expect_eq "exited after its end" "$(sk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$fid")" "exited 0"
expect_contains "ps -a shows Exited" "$(sk ps -a)" "Exited (0) "
expect_eq "ps without -a hides it" "$(sk ps -q --no-trunc | grep -c "$fid" || true)" 0

# stop: SIGTERM, then SIGKILL after -t (sh as pid 1 ignores SIGTERM).
start=$(date +%s%N)
expect_eq "stop prints its argument" "$(sk stop -t 1 web)" "web"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
# Well under docker's default of 10 s, the timeout -t 1 replaces (a loaded machine adds seconds).
[ "$ms" -ge 900 ] && [ "$ms" -lt 8000 ] || fail "stop -t 1 took ${ms} ms"
expect_eq "stopped by SIGKILL" "$(sk inspect -f '{{.State.Status}} {{.State.ExitCode}}' web)" "exited 137"
[ -z "$(fuser "$SK_ROOT/containers/$id/monitor.lock" 2>/dev/null)" ] || fail "monitor still alive after stop"
alive "$pid" && fail "container process $pid alive after stop"
expect_eq "stopped container keeps its logs" "$(sk logs web 2>/dev/null | head -1)" "out 0"
# A trapping process stops at once with SIGTERM.
tid=$(sk run -d busybox sh -c 'trap "exit 9" TERM; echo ready; while true; do sleep 0.1; done')
wait_until 30 logs_have "$tid" ready || fail "trapping container never got ready"
sk stop "$tid" >/dev/null
expect_eq "SIGTERM handled" "$(sk inspect -f '{{.State.ExitCode}}' "$tid")" 9

# start again: same container, new run; kill -s.
expect_eq "start" "$(sk start web)" "web"
expect_eq "running again" "$(sk inspect -f '{{.State.Status}}' web)" "running"
expect_eq "kill (SIGKILL)" "$(sk kill web)" "web"
wait_until 30 state_is web exited || fail "web not exited after kill"
expect_eq "killed by SIGKILL" "$(sk inspect -f '{{.State.Status}} {{.State.ExitCode}}' web)" "exited 137"
uid=$(sk run -d busybox sh -c 'trap "exit 12" USR1; echo ready; while true; do sleep 0.1; done')
wait_until 30 logs_have "$uid" ready || fail "USR1-trapping container never got ready"
sk kill -s USR1 "$uid" >/dev/null
wait_until 30 state_is "$uid" exited || fail "kill -s USR1 did not end the container"
expect_eq "kill -s USR1" "$(sk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$uid")" "exited 12"
expect_rc "kill -s unknown" 125 sk kill -s NOPE "$uid"
expect_rc "kill of a stopped container" 1 sk kill web

# create + start (-a attached).
cid=$(sk create --name made busybox sh -c 'echo made; exit 5')
expect_eq "created" "$(sk ps -a --no-trunc | grep "$cid" | grep -c Created)" 1
expect_rc "start -a: exit code" 5 sk start -a made
expect_eq "start -a output" "$(sk start -a made || true)" "made"

# rm of several, -f of a running one; nothing left.
sk run -d --name victim busybox sleep 1000 >/dev/null
vid=$(sk inspect -f '{{.Id}}' victim)
sk rm -f victim >/dev/null
expect_eq "cgroup after rm -f" "$(cgroup_dirs_of "$vid")" 0
# shellcheck disable=SC2046
sk rm -f $(sk ps -aq) >/dev/null
expect_eq "records" "$(records)" 0
expect_eq "mounts" "$(mounts_under_root)" 0
expect_eq "runtime state" "$(runtime_states)" 0
expect_eq "names" "$(find "$SK_ROOT/names" -mindepth 1 | wc -l)" 0
echo "PASS: skiff detached containers"
