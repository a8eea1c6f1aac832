#!/usr/bin/env bash
# Two skiff commands on one store at once: concurrent pulls, loads, and rmi racing pull and
# load of the same image leave a consistent store (every blob whole and verified, every name
# reaching a whole image, no partial files left behind).
. "$(dirname "$0")/lib.sh"
need_root
need_cmd python3
. "$(dirname "$0")/image_common.bash"

start_registry reg; port=$REG_PORT
layout=$(busybox_layout)
for _ in 1 2; do add_random_layer "$layout" 2; done
sk load -i "$layout" >/dev/null
sk push -q busybox "127.0.0.1:$port/t/bb:1"
start_proxy slow "$port" --throttle 2000000; pport=$PROXY_PORT
ref=127.0.0.1:$pport/t/bb:1
s=$SKIFF_TMP/shared

# Two pulls of the same image at once: both succeed, one image, each blob downloaded once.
"$SKIFF" --root "$s" pull -q "$ref" >"$SKIFF_TMP/p1" 2>&1 & p1=$!
"$SKIFF" --root "$s" pull -q "$ref" >"$SKIFF_TMP/p2" 2>&1 & p2=$!
wait $p1 || fail "first concurrent pull: $(cat "$SKIFF_TMP/p1")"
wait $p2 || fail "second concurrent pull: $(cat "$SKIFF_TMP/p2")"
[ "$(skin "$s" images -q | wc -l)" = 1 ] || fail "two pulls made $(skin "$s" images)"
check_consistent "$s"
[ -z "$(ls -A "$s/tmp")" ] || fail "concurrent pulls left $(ls "$s/tmp")"
for l in $(jq -r '.layers[].digest' "$s/blobs/sha256/$(jq -r ".references[\"$ref\"]" "$s/index.json" | cut -d: -f2)"); do
  n=$(grep -c "^end /v2/t/bb/blobs/$l " "$SKIFF_TMP/slow.log" || true)
  [ "$n" = 1 ] || fail "layer $l downloaded $n times"
done

# Loads of the same layout at once, and rmi racing load and pull: whoever wins, the store is
# consistent and still usable.
l=$SKIFF_TMP/loads
for round in 1 2 3; do
  pids=()
  "$SKIFF" --root "$l" load -q -i "$layout" 2>>"$SKIFF_TMP/errs" & pids+=($!)
  "$SKIFF" --root "$l" load -q -i "$layout" 2>>"$SKIFF_TMP/errs" & pids+=($!)
  "$SKIFF" --root "$l" rmi busybox >/dev/null 2>>"$SKIFF_TMP/errs" & pids+=($!)
  "$SKIFF" --root "$l" pull -q "$ref" >/dev/null 2>>"$SKIFF_TMP/errs" & pids+=($!)
  "$SKIFF" --root "$l" rmi "$ref" >/dev/null 2>>"$SKIFF_TMP/errs" & pids+=($!)
  for p in "${pids[@]}"; do wait "$p" || true; done
  check_consistent "$l"
  # The only failures allowed are rmi finding nothing to remove.
  if grep -v 'No such image' "$SKIFF_TMP/errs"; then fail "round $round: unexpected errors above"; fi
  skin "$l" load -q -i "$layout" || fail "round $round: store unusable after the race"
  skin "$l" rmi busybox >/dev/null
  skin "$l" rmi "$ref" >/dev/null 2>&1 || true
  [ "$(blob_count "$l")" = 0 ] || fail "round $round: rmi of everything left $(blob_count "$l") blobs"
done
echo "PASS: concurrent pulls, loads and rmi leave a consistent store"
