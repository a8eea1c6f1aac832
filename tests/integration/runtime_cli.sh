#!/bin/bash
# The command line around the verbs, as runc has it: --log/--log-format (text and JSON lines,
# plain message on stderr too), spec (writes, refuses to overwrite, --rootless), features,
# --preserve-fds and LISTEN_FDS, run with a terminal proxied, kill --all, unknown flags.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

# Logging.
log="$SKIFF_TMP/log.json"
err=$("$SKIFF_RUNTIME" --root "$RT_ROOT" --log "$log" --log-format json state nope 2>&1) && fail "state of a missing container succeeded"
[ "$err" = "container does not exist" ] || fail "plain stderr with --log: $err"
jq -e '.level == "error" and .msg == "container does not exist" and (.time | test("^[0-9-]+T[0-9:]+Z$"))' "$log" >/dev/null ||
  fail "json log line: $(cat "$log")"
err=$("$SKIFF_RUNTIME" --root "$RT_ROOT" state nope 2>&1) || true
grep -Eq '^time="[^"]+" level=error msg="container does not exist"$' <<<"$err" || fail "text log: $err"
err=$("$SKIFF_RUNTIME" --root "$RT_ROOT" --log-format json state nope 2>&1) || true
jq -e '.msg == "container does not exist"' <<<"$err" >/dev/null || fail "json on stderr: $err"
expect_fail "flag provided but not defined: -bogus" rt run --bogus x
expect_fail "requires exactly 1 argument" rt state
"$SKIFF_RUNTIME" --root "$RT_ROOT" --systemd-cgroup list >/dev/null || fail "--systemd-cgroup not accepted"

# spec and features.
mkdir -p "$SKIFF_TMP/spec"
rt spec --bundle "$SKIFF_TMP/spec"
jq -e '.process.args == ["sh"] and .root.path == "rootfs" and .process.terminal == true' "$SKIFF_TMP/spec/config.json" >/dev/null || fail "spec content"
expect_fail "exists. Remove it first" rt spec --bundle "$SKIFF_TMP/spec"
mkdir -p "$SKIFF_TMP/rootless"
rt spec --rootless --bundle "$SKIFF_TMP/rootless"
jq -e '[.linux.namespaces[].type] | index("user")' "$SKIFF_TMP/rootless/config.json" >/dev/null || fail "rootless spec has no user namespace"
f=$(rt features)
jq -e '.ociVersionMax and (.linux.namespaces | index("pid")) and .linux.seccomp.enabled == true and (.linux.capabilities | index("CAP_SYS_ADMIN")) and .annotations["run.skiff.isolation"]' <<<"$f" >/dev/null ||
  fail "features: $f"

B="$SKIFF_TMP/bundle"
make_bundle "$B" sh -c 'for f in 3 4 5 6; do [ -e /proc/$$/fd/$f ] && printf "%s " $f; done; echo; echo "LISTEN_FDS=$LISTEN_FDS"; cat <&4'
# --preserve-fds 2: fds 3 and 4 reach the process, 5 does not.
echo through-fd-4 >"$SKIFF_TMP/fd4"
id=$(new_id fds)
out=$(rt run --preserve-fds 2 --bundle "$B" "$id" 3</dev/null 4<"$SKIFF_TMP/fd4" 5</dev/null)
grep -q '^3 4 $' <<<"$out" || fail "preserved fds: $out"
grep -q through-fd-4 <<<"$out" || fail "fd 4 content: $out"
# LISTEN_FDS=1: fd 3 passes and the env tells the process.
id=$(new_id listen)
out=$(LISTEN_FDS=1 rt run --bundle "$B" "$id" 3</dev/null 4<"$SKIFF_TMP/fd4" 2>/dev/null || true)
grep -q '^3 $' <<<"$out" || fail "LISTEN_FDS fds: $out"
grep -q '^LISTEN_FDS=1$' <<<"$out" || fail "LISTEN_FDS env: $out"

# run with process.terminal and no console socket: the pty is proxied to our stdio.
edit_config "$B" '.process.terminal=true | .process.args=["sh","-c","tty; exit 5"]'
id=$(new_id tty)
rc=0; out=$(rt run --bundle "$B" "$id" </dev/null | tr -d '\r') || rc=$?
[ "$rc" = 5 ] || fail "run with terminal: exit $rc"
grep -q '^/dev/pts/0$' <<<"$out" || fail "run with terminal: $out"
assert_nothing_left "$id" "$B"

# kill --all signals every process in the container.
edit_config "$B" '.process.terminal=false | .process.args=["sh","-c","sleep 1001 & sleep 1002 & wait"]'
id=$(new_id killall)
rt run -d --bundle "$B" "$id"
wait_until 30 eval '[ "$(rt ps -f json "$id" | jq length)" = 3 ]' || fail "never 3 processes: $(rt ps -f json "$id")"
rt kill --all "$id" KILL
wait_until 30 eval '[ "$(rt ps -f json "$id")" = null ]' || true
[ "$(rt ps -f json "$id")" = null ] || fail "kill --all left: $(rt ps -f json "$id")"
rt delete "$id"
assert_nothing_left "$id" "$B"
echo "PASS: runtime_cli"
