#!/bin/bash
# events --stats prints one stats event in runc's layout; events streams them every
# --interval until the container stops.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
make_bundle "$B" sh -c 'sleep 1001 & sleep 1002 & wait'
edit_config "$B" '.linux.resources.pids={"limit":100}'
id=$(new_id events)
rt run -d --bundle "$B" "$id"
three_pids() { [ "$(rt ps -f json "$id" | jq length)" = 3 ]; }
wait_until 30 three_pids || fail "container never had 3 processes: $(rt ps -f json "$id")"
ev=$(rt events --stats "$id")
[ "$(wc -l <<<"$ev")" = 1 ] || fail "events --stats printed more than one line"
[ "$(jq -r .type <<<"$ev")" = stats ] || fail "type: $ev"
[ "$(jq -r .id <<<"$ev")" = "$id" ] || fail "id: $ev"
[ "$(jq -r .data.pids.current <<<"$ev")" = 3 ] || fail "pids.current: $ev"
[ "$(jq -r .data.pids.limit <<<"$ev")" = 100 ] || fail "pids.limit: $ev"
jq -e '.data.memory.usage.usage > 0 and .data.cpu.usage.total > 0' <<<"$ev" >/dev/null || fail "memory/cpu usage: $ev"
jq -e '.data | has("blkio") and has("hugetlb") and (.memory.usage | has("limit") and has("failcnt"))' <<<"$ev" >/dev/null || fail "layout: $ev"
# The stream: a few events at 200ms, ending when the container stops.
streamed() { [ "$(grep -c '"stats"' "$SKIFF_TMP/stream" 2>/dev/null)" -ge 3 ]; }
( wait_until 60 streamed; rt kill "$id" KILL ) &
timeout 90 "$SKIFF_RUNTIME" --root "$RT_ROOT" events --interval 200ms "$id" >"$SKIFF_TMP/stream" || fail "events stream did not end with the container"
n=$(jq -r .type "$SKIFF_TMP/stream" | grep -c stats)
[ "$n" -ge 3 ] || fail "only $n stats events in the stream"
wait
rt delete "$id"
expect_fail "container does not exist" rt events --stats "$id"
echo "PASS: runtime_events_stats"
