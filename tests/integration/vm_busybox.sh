#!/usr/bin/env bash
# Debian's busybox-static applets run directly in vm mode with the output they have natively.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vm_common.bash"
need_root
need_vmm
need_cmd busybox

root=$SKIFF_TMP/rootfs
make_busybox_rootfs "$root"
printf 'alpha\nbeta gamma\n' >"$root/etc/words"
head -c $((10 << 20)) /dev/urandom >"$root/big.bin"

compare echo "$root" -- /bin/echo hello vm mode
compare cat "$root" -- /bin/cat /etc/words
compare ls "$root" -- /bin/ls -la /
compare wc "$root" -- /bin/wc /etc/words /etc/passwd
compare sha256sum "$root" -- /bin/sha256sum /big.bin
compare env "$root" -- /bin/env
compare id "$root" -- /bin/id
compare cat-missing "$root" -- /bin/cat /no/such/file
compare false "$root" -- /bin/false
# date: the same minute (retry once when the minute turns between the two runs).
compare date "$root" -- /bin/date -u +%Y-%m-%dT%H:%M || compare date "$root" -- /bin/date -u +%Y-%m-%dT%H:%M

start=$(date +%s%N)
"$SKIFF_VMM" --rootfs "$root" -- /bin/sleep 1 || fail "sleep 1 failed"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
# The upper bound catches a guest clock running slow, with room for a loaded machine.
[ "$ms" -ge 1000 ] && [ "$ms" -lt 6000 ] || fail "sleep 1 took $ms ms"
echo "ok: sleep 1 took $ms ms"

# A file read twice costs no second round trip: the second cat of the 10 MiB file in one guest
# (busybox cat FILE FILE) makes no more hypercalls than one cat of it plus a few.
one=$("$SKIFF_VMM" --rootfs "$root" --count-hypercalls -- /bin/cat /big.bin 2>&1 >/dev/null | sed -n 's/^skiff-vmm: hypercalls: //p')
two=$("$SKIFF_VMM" --rootfs "$root" --count-hypercalls -- /bin/cat /big.bin /big.bin 2>&1 >/dev/null | sed -n 's/^skiff-vmm: hypercalls: //p')
[ -n "$one" ] && [ -n "$two" ] || fail "no hypercall count printed"
# One cat is about as many reads (into the page cache) as writes (to stdout, one per 256 KiB
# chunk) plus a few; a second cat in the same guest adds only its writes, about half of one cat.
[ $((two - one)) -le $((one / 2 + 5)) ] || fail "reading the file twice made $two hypercalls, once $one"
echo "ok: page cache (one read: $one hypercalls, two reads: $two)"

# A listing brings the lstat of its entries along: `ls -la` of a directory of 200 files makes no
# stat round trip per file (open, getdents, close and a few more, not 200 more), and prints what
# it prints natively.
mkdir -p "$root/many"
for i in $(seq 200); do echo "$i" >"$root/many/file-$i"; done
ln -s file-1 "$root/many/link"
n=$("$SKIFF_VMM" --rootfs "$root" --count-hypercalls -- /bin/ls -la /many 2>&1 >/dev/null | sed -n 's/^skiff-vmm: hypercalls: //p')
[ -n "$n" ] && [ "$n" -lt 40 ] || fail "ls -la of 200 files made $n hypercalls"
compare ls-la-many "$root" -- /bin/ls -la /many
compare ls-l-link "$root" -- /bin/ls -lL /many/link
echo "ok: a listing carries its stats (ls -la of 200 files: $n hypercalls)"

# A write to a closed pipe raises SIGPIPE in the app, as natively: `yes | head -1` ends yes with 141.
vm_rc=$(bash -c 'timeout 20 "$1" --rootfs "$2" -- /bin/yes | head -1 >/dev/null; echo ${PIPESTATUS[0]}' _ "$SKIFF_VMM" "$root")
nat_rc=$(bash -c 'chroot "$1" /bin/yes | head -1 >/dev/null; echo ${PIPESTATUS[0]}' _ "$root")
[ "$vm_rc" = "$nat_rc" ] || fail "yes | head: vm mode $vm_rc, native $nat_rc"
echo "ok: SIGPIPE (yes | head -1 -> $vm_rc)"

# A signal reaches an app blocked reading stdin: cat waiting on an idle pipe ignores SIGWINCH
# (it keeps reading) and ends with 143 on SIGTERM.
mkfifo "$SKIFF_TMP/idle"
exec 7<>"$SKIFF_TMP/idle"
"$SKIFF_VMM" --rootfs "$root" -- /bin/cat <&7 >"$SKIFF_TMP/cat.out" &
pid=$!
cleanup "kill -9 $pid 2>/dev/null"
wait_until 60 blocked_in_read "$pid" || fail "cat never blocked reading stdin"
kill -WINCH "$pid"
echo "after winch" >&7
wait_until 30 test -s "$SKIFF_TMP/cat.out" || true
[ "$(cat "$SKIFF_TMP/cat.out")" = "after winch" ] || fail "cat stopped reading after SIGWINCH"
wait_until 60 blocked_in_read "$pid" || fail "cat did not go back to reading stdin"
kill -TERM "$pid"
wait_until 30 not kill -0 "$pid" 2>/dev/null || fail "cat blocked on stdin ignored kill -TERM for 30 s"
rc=0
wait "$pid" || rc=$?
exec 7>&-
[ "$rc" = 143 ] || fail "cat blocked on stdin: kill -TERM gave exit $rc, want 143"
echo "ok: kill -TERM reaches an app blocked on stdin (143)"
