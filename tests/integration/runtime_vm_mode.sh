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

# Same output in both modes, for a few applets run directly.
for args in "echo hello from skiff" "cat /etc/passwd" "wc -l /etc/group" "id" "env"; do
  # shellcheck disable=SC2086
  set_args $args
  ctr; want=$(rt run --bundle "$b" "c-$RANDOM" 2>&1) || fail "container mode: $args"
  vm;  got=$(rt run --bundle "$b" "v-$RANDOM" 2>&1) || fail "vm mode: $args: $got"
  [ "$got" = "$want" ] || fail "vm mode output differs for '$args': want [$want] got [$got]"
done
echo "ok: same output in container and vm mode"

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
grep -q skiff-vmm "/proc/$pid/comm" 2>/dev/null || tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q skiff-vmm \
  || fail "container pid $pid is not skiff-vmm: $(cat /proc/$pid/comm)"
grep -q '^Seccomp:.*2' "/proc/$pid/status" || fail "skiff-vmm is not seccomp-confined"
rt kill "$id" TERM
for _ in $(seq 50); do [ "$(rt state "$id" | jq -r .status)" = stopped ] && break; sleep 0.1; done
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
