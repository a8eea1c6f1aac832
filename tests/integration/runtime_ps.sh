#!/bin/bash
# ps lists exactly the container's processes: the table filtered from the host's ps (header
# kept, ps options passed through) and --format json as the pid array.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"
need_cmd ps

B="$SKIFF_TMP/bundle"
make_bundle "$B" sh -c 'sleep 1001 & sleep 1002 & wait'
id=$(new_id ps)
rt run -d --pid-file "$SKIFF_TMP/pid" --bundle "$B" "$id"
pid=$(cat "$SKIFF_TMP/pid")
# Three processes, the two children exec'd (a fork of sh shows up before its exec).
settled() { [ "$(rt ps -f json "$id" | jq length)" = 3 ] && rt ps "$id" | grep -q 'sleep 1001' && rt ps "$id" | grep -q 'sleep 1002'; }
wait_until 30 settled || true
json=$(rt ps --format json "$id")
[ "$(jq length <<<"$json")" = 3 ] || fail "ps json: $json"
jq -e "index($pid)" <<<"$json" >/dev/null || fail "ps json lacks the init $pid: $json"
table=$(rt ps "$id")
head -n1 <<<"$table" | grep -q 'PID' || fail "ps header: $table"
[ "$(tail -n +2 <<<"$table" | wc -l)" = 3 ] || fail "ps table rows: $table"
grep -q 'sleep 1001' <<<"$table" || fail "ps table lacks sleep 1001: $table"
! grep -q "$$ " <<<"$(tail -n +2 <<<"$table" | awk '{print $2}')" || fail "ps shows a host process"
custom=$(rt ps "$id" -o pid,comm)
[ "$(head -n1 <<<"$custom" | awk '{print $1, $2}')" = "PID COMMAND" ] || fail "ps options: $custom"
rt delete --force "$id"
assert_nothing_left "$id" "$B"
echo "PASS: runtime_ps"
