#!/bin/bash
# --debug logs the steps of each command at level "debug", as runc's debug log does: the config
# loaded (mount count, namespaces), the cgroup paths, the init's pid, each hook, start, signals,
# exec and delete; in JSON lines with --log-format json and logrus text lines otherwise. Without
# --debug there is no debug line.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" sleep 1000
edit_config "$B" '.hooks.prestart=[{"path":"/bin/true"}] | .hooks.poststop=[{"path":"/bin/true"}]'
mounts=$(jq '.mounts | length' "$B/config.json")
log="$SKIFF_TMP/debug.json"
drt() { "$SKIFF_RUNTIME" --root "$RT_ROOT" --debug --log "$log" --log-format "$@"; }

id=$(new_id debug)
drt json create --bundle "$B" --pid-file "$SKIFF_TMP/pid" "$id"
pid=$(cat "$SKIFF_TMP/pid")
drt json start "$id"
drt json exec "$id" true
drt json kill "$id" KILL
wait_until 30 status_is "$id" stopped || fail "$id never stopped: $(rt state "$id" 2>&1)"
drt json delete "$id"

# Every line is one JSON object with level, msg and time.
n=0
while IFS= read -r line; do
  jq -e 'type == "object" and (.level | type == "string") and (.msg | type == "string") and (.time | type == "string")' \
    <<<"$line" >/dev/null 2>&1 || fail "not a JSON log line: $line"
  n=$((n + 1))
done <"$log"
[ "$n" -gt 0 ] || fail "empty debug log"
debug=$(jq -r 'select(.level == "debug") | .msg' "$log")
want() { grep -qE -- "$1" <<<"$debug" || fail "debug log lacks /$1/: $debug"; }
want "^config loaded from $(readlink -f "$B")/config.json: isolation container, $mounts mounts, new namespaces \[pid network ipc uts mount\]"
want "^cgroup created: container $id: .*pids=/sys/fs/cgroup/[^ ]*$id"
want "^init cloned into its namespaces and cgroup: container $id pid $pid$"
want "^running prestart hook #0 \(/bin/true\)$"
want "^container created: container $id pid $pid$"
want "^container started: container $id pid $pid$"
want "^exec process started: container $id pid [0-9]+: true$"
want "^signalling the init: container $id pid $pid: signal 9$"
want "^container deleted .*: container $id$"
want "^running poststop hook #0 \(/bin/true\)$"
echo "ok: --debug --log-format json: $n JSON lines, the steps at level debug"

# Text format: logrus lines at level debug.
out=$("$SKIFF_RUNTIME" --root "$RT_ROOT" --debug run --bundle "$B" "$id-text" 2>&1 >/dev/null &
      wait_until 60 status_is "$id-text" running; rt delete --force "$id-text" >/dev/null 2>&1; wait) || true
grep -Eq '^time="[^"]+" level=debug msg="config loaded from [^"]+: isolation container' <<<"$out" ||
  fail "text debug log: $out"
grep -Eq "^time=\"[^\"]+\" level=debug msg=\"container started: container $id-text pid [0-9]+\"$" <<<"$out" ||
  fail "text debug log lacks the start: $out"
echo "ok: --debug text lines"

# Without --debug: nothing at level debug.
: >"$log"
id=$(new_id nodebug)
"$SKIFF_RUNTIME" --root "$RT_ROOT" --log "$log" --log-format json run --bundle "$B" -d "$id"
rt delete --force "$id"
! grep -q '"debug"' "$log" || fail "debug lines without --debug: $(cat "$log")"
assert_nothing_left "$id" "$B"
echo "PASS: runtime_debug_log"
