#!/usr/bin/env bash
# `skiff stop` sends the image's StopSignal (docker's STOPSIGNAL), not SIGTERM, and SIGKILL
# only after the timeout. The image is the busybox layout with StopSignal set in its config.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/skiff_common.bash"
skiff_load_busybox

# A copy of the layout whose config says StopSignal SIGUSR1 (new config and manifest blobs).
L=$SKIFF_TMP/stopsig
cp -r "$SKIFF_TMP/busybox" "$L"
put_blob() { # FILE -> prints "sha256:<hex> <size>"
  local h; h=$(sha256sum "$1" | cut -d' ' -f1)
  cp "$1" "$L/blobs/sha256/$h"
  echo "sha256:$h $(stat -c %s "$1")"
}
m=$(jq -r '.manifests[0].digest' "$L/index.json")
c=$(jq -r .config.digest "$L/blobs/sha256/${m#sha256:}")
jq -c '.config.StopSignal="SIGUSR1"' "$L/blobs/sha256/${c#sha256:}" >"$SKIFF_TMP/config.json"
read -r cd cs < <(put_blob "$SKIFF_TMP/config.json")
jq -c ".config.digest=\"$cd\" | .config.size=$cs" "$L/blobs/sha256/${m#sha256:}" >"$SKIFF_TMP/manifest.json"
read -r md ms < <(put_blob "$SKIFF_TMP/manifest.json")
jq -c ".manifests[0].digest=\"$md\" | .manifests[0].size=$ms" "$L/index.json" >"$SKIFF_TMP/index.json"
cp "$SKIFF_TMP/index.json" "$L/index.json"
out=$(sk load -i "$L") || fail "load of the StopSignal image"
expect_eq "loaded under the layout's name" "$out" "Loaded image: stopsig:latest"
img=stopsig

# SIGUSR1 ends it at once (trap), SIGTERM would not (ignored by the trap).
id=$(sk run -d "$img" sh -c 'trap "" TERM; trap "exit 10" USR1; echo ready; while true; do sleep 0.1; done')
wait_until 60 logs_have "$id" ready || fail "the USR1-trapping container never got ready"
expect_eq "inspect StopSignal" "$(sk inspect -f '{{.Config.StopSignal}}' "$id")" "SIGUSR1"
start=$(date +%s%N)
sk stop -t 30 "$id" >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "stopped by the image's signal" "$(sk inspect -f '{{.State.ExitCode}}' "$id")" 10
[ "$ms" -lt 20000 ] || fail "stop waited ${ms} ms: the stop signal was not SIGUSR1"

# The plain image: SIGTERM, ignored here, so SIGKILL after -t.
# (pid 1 of a pid namespace ignores SIGTERM without a handler too: no need to wait for the trap)
id=$(sk run -d busybox sh -c 'trap "" TERM; while true; do sleep 0.1; done')
expect_eq "default StopSignal" "$(sk inspect -f '{{.Config.StopSignal}}' "$id")" "SIGTERM"
sk stop -t 1 "$id" >/dev/null
expect_eq "SIGKILL after the timeout" "$(sk inspect -f '{{.State.ExitCode}}' "$id")" 137
# shellcheck disable=SC2046
sk rm -f $(sk ps -aq) >/dev/null
expect_eq "nothing left" "$(records) $(mounts_under_root) $(runtime_states)" "0 0 0"
echo "PASS: skiff stop uses the image's StopSignal"
