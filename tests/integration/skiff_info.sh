#!/bin/bash
# `skiff version` and `skiff info`: the version of this build, the store's counts, the cgroup
# layout and whether each isolation mode can run here — vm mode's answer must follow /dev/kvm:
# available with the real device, "unavailable" with the reason when a private mount
# namespace hides it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/skiff_common.bash"
need_cmd jq
skiff_load_busybox

v=$(sk version)
expect_contains "version" "$v" "skiff version $(sed -n 's/^project(skiff VERSION \([0-9.]*\).*/\1/p' "$SKIFF_SOURCE_DIR/CMakeLists.txt")"
sk version --format json | jq -e '.Version and .Os == "linux"' >/dev/null || fail "version --format json: $(sk version --format json)"
expect_rc "version takes no arguments" 125 sk version extra

info=$(sk info)
expect_contains "store root" "$info" "Storage Root: $SK_ROOT"
expect_contains "images counted" "$info" "Images: 1"
expect_contains "containers counted" "$info" "Containers: 0"
expect_contains "container mode" "$info" "container: available"
if [ -c /dev/kvm ]; then
  expect_contains "vm mode with /dev/kvm" "$info" "vm: available"
fi
# Without /dev/kvm (hidden by an empty tmpfs over /dev in a private mount namespace) vm mode
# is reported unavailable, saying why.
need_cmd unshare
hidden=$(unshare -m sh -c 'mount -t tmpfs none /dev && "$0" --root "$1" --runroot "$2" info' \
  "$SKIFF_CLI" "$SK_ROOT" "$SK_RUNROOT")
vm_line=$(grep -A3 "^Isolation:" <<<"$hidden" | grep " vm:")
[[ $vm_line == *unavailable*kvm* ]] || fail "vm mode without /dev/kvm: '$vm_line'"
echo "PASS: skiff_info"
