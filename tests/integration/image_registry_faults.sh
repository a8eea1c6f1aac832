#!/usr/bin/env bash
# Pulling through a proxy that misbehaves in front of docker-registry: three layers download
# at once; a connection cut mid-blob is resumed with a Range request in the same pull; a pull
# killed mid-blob leaves no half blob in blobs/ and the next pull resumes it; a corrupted
# blob is rejected with a clear error and nothing of it is stored.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd python3
. "$(dirname "$0")/image_common.bash"

start_registry reg; port=$REG_PORT
layout=$(busybox_layout)
for _ in 1 2 3; do add_random_layer "$layout" 2; done
sk load -i "$layout" >/dev/null
want=$(jq -r '.manifests[0].digest' "$layout/index.json")
mapfile -t layers < <(jq -r '.layers[].digest' "$layout/blobs/sha256/${want#sha256:}")
[ "${#layers[@]}" = 4 ] || fail "test image has ${#layers[@]} layers, want 4"
sk push -q busybox "127.0.0.1:$port/t/big:1"

# Parallel: each blob answer is held 1 s; at least three GETs are open at once, and the pull
# takes far less than the 5 s a one-at-a-time pull would.
start_proxy slow "$port" --delay 1; pport=$PROXY_PORT
t0=$(date +%s.%N)
skin "$SKIFF_TMP/s1" pull -q "127.0.0.1:$pport/t/big:1" >/dev/null || fail "pull through the slow proxy"
t1=$(date +%s.%N)
most=$(awk '{print $4, ($1=="start" ? 1 : -1)}' "$SKIFF_TMP/slow.log" | sed 's/t=//' | sort -n |
       awk '{n+=$2; if (n>m) m=n} END {print m}')
[ "$most" -ge 3 ] || fail "at most $most blob downloads at once: $(cat "$SKIFF_TMP/slow.log")"
# Under the 5 s of one blob after another, with room for a loaded machine.
awk -v a="$t0" -v b="$t1" 'BEGIN {exit !(b - a < 4.8)}' || fail "parallel pull took $(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}') s"
verify_store "$SKIFF_TMP/s1"

# A connection cut after 100 kB of each blob: one pull finishes, with Range requests.
start_proxy cut "$port" --cut 100000; cport=$PROXY_PORT
skin "$SKIFF_TMP/s2" pull -q "127.0.0.1:$cport/t/big:1" >/dev/null || fail "pull over cut connections failed"
for l in "${layers[@]:1}"; do
  grep -q "^end /v2/t/big/blobs/$l range=bytes=100000- " "$SKIFF_TMP/cut.log" || fail "no resume of $l: $(cat "$SKIFF_TMP/cut.log")"
done
verify_store "$SKIFF_TMP/s2"
[ -z "$(ls -A "$SKIFF_TMP/s2/tmp")" ] || fail "partial files left after a complete pull"

# Killed mid-blob (the layers trickle at 400 kB/s): blobs/ holds only whole, verified blobs,
# no reference exists, and a new pull continues the partial file with a Range request.
start_proxy trickle "$port" --throttle 400000; tport=$PROXY_PORT
s3=$SKIFF_TMP/s3
"$SKIFF" --root "$s3" pull -q "127.0.0.1:$tport/t/big:1" >/dev/null 2>&1 &
pid=$!
wait_until 60 eval '[ "$(find "$s3/tmp" -name "*.partial" -size +200k 2>/dev/null | wc -l)" -ge 1 ]' || true
kill -9 $pid; wait $pid 2>/dev/null || true
partial=$(find "$s3/tmp" -name '*.partial' -size +200k | head -1)
[ -n "$partial" ] || fail "no partial download to interrupt"
hex=$(basename "$partial" .partial)
have=$(stat -c %s "$partial")
[ ! -e "$s3/blobs/sha256/$hex" ] || fail "the interrupted blob is visible in blobs/"
verify_store "$s3"
[ -z "$(skin "$s3" images -q)" ] || fail "an interrupted pull left an image: $(skin "$s3" images)"
start_proxy resume "$port"; rport=$PROXY_PORT
skin "$s3" pull -q "127.0.0.1:$rport/t/big:1" >/dev/null || fail "pull after the kill failed"
grep -q "^start /v2/t/big/blobs/sha256:$hex range=bytes=$have- " "$SKIFF_TMP/resume.log" ||
  fail "no Range resume of the killed download from $have: $(cat "$SKIFF_TMP/resume.log")"
verify_store "$s3"
[ -n "$(skin "$s3" images -q)" ] || fail "resumed pull has no image"

# Corruption: the proxy flips a byte in every blob over 1 KiB.
start_proxy bad "$port" --corrupt; xport=$PROXY_PORT
s4=$SKIFF_TMP/s4
if err=$(skin "$s4" pull -q "127.0.0.1:$xport/t/big:1" 2>&1); then fail "pulled corrupted blobs"; fi
echo "$err" | grep -Eq "^skiff: pull 127.0.0.1:$xport/t/big:1: blob sha256:[0-9a-f]{64}: content has digest sha256:[0-9a-f]{64} \(rejected, not stored\)$" ||
  fail "corrupt blob error: $err"
for l in "${layers[@]}"; do [ ! -e "$s4/blobs/sha256/${l#sha256:}" ] || fail "corrupted layer $l stored"; done
[ -z "$(find "$s4/tmp" -type f)" ] || fail "corrupted download left in tmp/: $(ls "$s4/tmp")"
[ ! -s "$s4/index.json" ] || [ "$(jq '.references | length' "$s4/index.json")" = 0 ] || fail "reference written"
verify_store "$s4"
echo "PASS: parallel layer downloads, Range resume (cut and killed), corrupted blobs rejected"
