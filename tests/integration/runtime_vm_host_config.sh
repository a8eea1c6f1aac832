#!/bin/bash
# skiff's host config file ($SKIFF_CONFIG here, /etc/skiff/config.json by default) sets the
# default isolation: {"isolation": "vm"} runs a bundle without the annotation in vm mode, the
# annotation still wins, bad files are one-line errors naming the file and key that leave
# nothing behind. On a host without /dev/kvm (a private mount namespace whose /dev lacks it),
# vm mode is an error saying so, unless "vm_fallback": true, which runs container mode and warns.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"
need_kvm
need_cmd unshare

B="$SKIFF_TMP/bundle"
make_bundle "$B" sleep 1000
export SKIFF_CONFIG=$SKIFF_TMP/config.json

# comm of the container's process after start: skiff-vmm in vm mode, the app in container mode.
mode_of_run() {
  local id
  id=$(new_id hostcfg)
  rt create --bundle "$B" "$id" || fail "create $id"
  rt start "$id"
  local pid comm
  pid=$(rt state "$id" | jq -r .pid)
  # start returns once the init is released; its exec (of the app or skiff-vmm) follows.
  settled() { comm=$(cat "/proc/$pid/comm" 2>/dev/null); [ "$comm" = skiff-vmm ] || [ "$comm" = sleep ]; }
  wait_until 30 settled || true
  rt delete --force "$id"
  case "$comm" in skiff-vmm) echo vm ;; sleep) echo container ;; *) echo "unexpected:$comm" ;; esac
}

echo '{"isolation": "vm"}' >"$SKIFF_CONFIG"
[ "$(mode_of_run)" = vm ] || fail "host default vm: the bundle did not run in vm mode"
echo "ok: {\"isolation\": \"vm\"} runs a bundle without the annotation in vm mode"
edit_config "$B" '.annotations["run.skiff.isolation"]="container"'
[ "$(mode_of_run)" = container ] || fail "annotation container did not override the host default"
echo "ok: the annotation overrides the host default"
edit_config "$B" 'del(.annotations["run.skiff.isolation"])'
echo '{"isolation": "container", "vm_fallback": false}' >"$SKIFF_CONFIG"
[ "$(mode_of_run)" = container ] || fail "host default container"
rm "$SKIFF_CONFIG"
[ "$(mode_of_run)" = container ] || fail "no config file: container mode is the default"
echo "ok: container by default and when the file says so"

id=$(new_id hostcfg)
echo '{"isolation": "kata"}' >"$SKIFF_CONFIG"
expect_fail "$SKIFF_CONFIG: isolation: unknown isolation mode" \
  rt create --bundle "$B" "$id"
assert_nothing_left "$id" "$B"
echo '{"vm_fallback": 1}' >"$SKIFF_CONFIG"
expect_fail "$SKIFF_CONFIG: vm_fallback: expected a boolean" rt create --bundle "$B" "$id"
printf '{"isolation": \n' >"$SKIFF_CONFIG"
err=$(rt create --bundle "$B" "$id" 2>&1) && fail "malformed config accepted"
[ "$(wc -l <<<"$err")" = 1 ] || fail "malformed config: not a one-line error: $err"
grep -qF "$SKIFF_CONFIG: invalid JSON at line" <<<"$err" || fail "malformed config: $err"
echo "ok: malformed config -> $err"
assert_nothing_left "$id" "$B"

# No /dev/kvm: a private mount namespace whose /dev is a tmpfs with the usual nodes but no kvm.
# ARGS of the inner run: the config text, then what must be true.
without_kvm() {
  echo "$1" >"$SKIFF_CONFIG"
  unshare -m --propagation private bash -c '
    set -e
    runtime=$0 root=$1 bundle=$2 id=$3
    mount -t tmpfs -o mode=755 nokvm /dev
    for n in "null c 1 3" "zero c 1 5" "full c 1 7" "random c 1 8" "urandom c 1 9" "tty c 5 0"; do
      set -- $n; mknod -m 666 "/dev/$1" "$2" "$3" "$4"
    done
    ln -s /proc/self/fd /dev/fd
    [ ! -e /dev/kvm ]
    exec "$runtime" --root "$root" run --bundle "$bundle" "$id"' "$SKIFF_RUNTIME" "$RT_ROOT" "$B" "$2"
}
edit_config "$B" '.process.args=["echo","ran"]'
id=$(new_id nokvm)
set +e
out=$(without_kvm '{"isolation": "vm"}' "$id" 2>&1); rc=$?
set -e
[ $rc -ne 0 ] || fail "vm mode without /dev/kvm succeeded: $out"
grep -qF "/dev/kvm is missing on this host" <<<"$out" || fail "missing /dev/kvm: $out"
echo "ok: no /dev/kvm -> $out"
assert_nothing_left "$id" "$B"
out=$(without_kvm '{"isolation": "vm", "vm_fallback": true}' "$id" 2>&1) ||
  fail "vm_fallback without /dev/kvm failed: $out"
grep -qx "ran" <<<"$out" || fail "vm_fallback: the app did not run: $out"
grep -q "warning.*/dev/kvm is missing on this host; running in container mode" <<<"$out" ||
  fail "vm_fallback: no warning: $out"
echo "ok: vm_fallback runs container mode and warns"
assert_nothing_left "$id" "$B"

# An empty file bind-mounted over /dev/kvm opens, but is not KVM.
echo '{"isolation": "vm"}' >"$SKIFF_CONFIG"
touch "$SKIFF_TMP/fake-kvm"
set +e
out=$(unshare -m --propagation private bash -c 'mount --bind "$0" /dev/kvm && exec "$1" --root "$2" run --bundle "$3" "$4"' \
  "$SKIFF_TMP/fake-kvm" "$SKIFF_RUNTIME" "$RT_ROOT" "$B" "$id" 2>&1); rc=$?
set -e
[ $rc -ne 0 ] || fail "a non-KVM /dev/kvm was accepted"
grep -qF "/dev/kvm on this host is not KVM" <<<"$out" || fail "fake /dev/kvm: $out"
echo "ok: fake /dev/kvm -> $out"
assert_nothing_left "$id" "$B"
echo "PASS: runtime_vm_host_config"
