#!/usr/bin/env bash
# `skiff run --isolation vm`: the image's busybox runs in a KVM unikernel, through the same
# record, monitor and log as a container; inspect says so.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/skiff_common.bash"
need_kvm
export SKIFF_VMM=${SKIFF_VMM:-$SKIFF_BUILD_DIR/unikernel/skiff-vmm}
[ -x "$SKIFF_VMM" ] || skip "skiff-vmm not built ($SKIFF_VMM)"
skiff_load_busybox

expect_eq "echo in vm mode" "$(sk run --rm --isolation vm busybox echo hello from vm)" "hello from vm"
expect_rc "exit code in vm mode" 3 sk run --rm --isolation vm busybox sh -c 'exit 3'
sk run --name vmbox --isolation vm busybox sh -c 'echo kept; exit 0' >/dev/null
expect_eq "inspect isolation" "$(sk inspect -f '{{.HostConfig.Isolation}} {{.State.Status}}' vmbox)" "vm exited"
expect_eq "vm logs" "$(sk logs vmbox)" "kept"
sk rm vmbox >/dev/null
# A host without KVM (here: /dev/kvm hidden in a mount namespace of our own) gets a clear error.
touch "$SKIFF_TMP/no-kvm"
err=$(unshare -m sh -c 'mount --bind "$1" /dev/kvm && shift && exec "$@"' sh "$SKIFF_TMP/no-kvm" \
  "$SKIFF_CLI" --root "$SK_ROOT" --runroot "$SK_RUNROOT" run --rm --isolation vm busybox true 2>&1) &&
  fail "vm mode without /dev/kvm ran"
expect_contains "no-KVM error" "$err" "--isolation vm: /dev/kvm is not available on this host"

# Without --isolation the host's default decides (/etc/skiff/config.json, here $SKIFF_CONFIG).
echo '{"isolation": "vm"}' >"$SKIFF_TMP/skiff-config.json"
out=$(SKIFF_CONFIG=$SKIFF_TMP/skiff-config.json sk run --name hostdefault busybox echo by default)
expect_eq "host default vm" "$out" "by default"
expect_eq "recorded as vm" "$(sk inspect -f '{{.HostConfig.Isolation}}' hostdefault)" "vm"
sk rm hostdefault >/dev/null
SKIFF_CONFIG=$SKIFF_TMP/skiff-config.json sk run --name flagged --isolation container busybox true
expect_eq "--isolation beats the host default" "$(sk inspect -f '{{.HostConfig.Isolation}}' flagged)" "container"
sk rm flagged >/dev/null
expect_eq "nothing left" "$(records) $(mounts_under_root) $(runtime_states)" "0 0 0"
echo "PASS: skiff run --isolation vm"
