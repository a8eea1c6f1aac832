#!/bin/bash
# Every hook gets the container's OCI state on stdin (id, status of its phase, pid, bundle,
# annotations), with only its own env, in the order of the lifecycle.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"

B="$SKIFF_TMP/bundle"
L="$SKIFF_TMP/hooks"
mkdir -p "$L"
make_bundle "$B" sleep 1000
hook() { echo "{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"cat > $L/\$(date +%s%N)-$1.json; echo \\\"\$HV\\\" > $L/$1.env\"],\"env\":[\"HV=$1\"]}"; }
edit_config "$B" ".annotations={\"org.test\":\"yes\"} | .hooks={
  \"prestart\":[$(hook prestart)], \"createRuntime\":[$(hook createRuntime)],
  \"createContainer\":[$(hook createContainer)], \"poststart\":[$(hook poststart)],
  \"poststop\":[$(hook poststop)]}"
# startContainer runs inside the container: its rootfs has sh and cat but not our log dir.
edit_config "$B" '.root.readonly=false'
edit_config "$B" '.hooks.startContainer=[{"path":"/bin/sh","args":["sh","-c","cat > /tmp/startContainer.json"]}]'
id=$(new_id hooks)
rt create --bundle "$B" --pid-file "$SKIFF_TMP/pid" "$id"
pid=$(cat "$SKIFF_TMP/pid")
rt start "$id"
# The hook runs in the container after start returns; wait for its whole file.
start_state_ok() { jq -e --arg id "$id" '.id == $id and .status == "created"' "/proc/$pid/root/tmp/startContainer.json" >/dev/null 2>&1; }
wait_until 30 start_state_ok ||
  fail "startContainer hook state: $(cat "/proc/$pid/root/tmp/startContainer.json" 2>&1)"
rt delete --force "$id"
check() { # phase status
  local f; f=$(ls "$L"/*-"$1".json 2>/dev/null | head -n1)
  [ -n "$f" ] || fail "$1 hook did not run"
  jq -e --arg id "$id" --arg st "$2" --arg b "$(readlink -f "$B")" \
    '.id == $id and .status == $st and .bundle == $b and .annotations["org.test"] == "yes" and has("ociVersion")' "$f" >/dev/null ||
    fail "$1 hook state: $(cat "$f")"
  [ "$(cat "$L/$1.env")" = "$1" ] || fail "$1 hook env"
}
check prestart creating; check createRuntime creating; check createContainer creating
check poststart running; check poststop stopped
for p in prestart createRuntime createContainer poststart; do
  [ "$(jq -r .pid "$(ls "$L"/*-$p.json)")" = "$pid" ] || fail "$p hook pid"
done
order=$(ls "$L"/*.json | sed 's/.*-//; s/.json//' | tr '\n' ' ')
[ "$order" = "prestart createRuntime createContainer poststart poststop " ] || fail "hook order: $order"
echo "PASS: runtime_hooks_state"
