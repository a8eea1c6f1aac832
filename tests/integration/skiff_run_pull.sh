#!/usr/bin/env bash
# `skiff run` of an image the store lacks pulls it first, as docker does ("Unable to find image
# ... locally"), from Debian's docker-registry on 127.0.0.1; --pull never refuses, --pull always
# asks the registry again; a registry that does not have it fails with 125 and leaves nothing.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd python3
. "$(dirname "$0")/image_common.bash" # start_registry
. "$(dirname "$0")/skiff_common.bash"

start_registry pullrun; port=$REG_PORT
reg=127.0.0.1:$port
skiff_load_busybox
sk push -q busybox "$reg/test/busybox:1" >/dev/null || fail "push to the test registry"
SK_ROOT=$SKIFF_TMP/root2 # an empty store from here on

expect_rc "--pull never of a missing image" 125 sk run --rm --pull never "$reg/test/busybox:1" true
out=$(sk run --rm "$reg/test/busybox:1" echo pulled 2>"$SKIFF_TMP/err")
expect_eq "run after the pull" "$out" "pulled"
expect_contains "docker's notice" "$(cat "$SKIFF_TMP/err")" "Unable to find image '$reg/test/busybox:1' locally"
expect_contains "the image is in the store now" "$(sk images)" "$reg/test/busybox"
sk run --rm "$reg/test/busybox:1" true 2>"$SKIFF_TMP/err2"
expect_eq "no pull when present" "$(cat "$SKIFF_TMP/err2")" ""
expect_eq "--pull always" "$(sk run --rm --pull always "$reg/test/busybox:1" echo again 2>/dev/null)" "again"
expect_rc "bad --pull" 125 sk run --rm --pull sometimes "$reg/test/busybox:1" true
expect_rc "missing in the registry" 125 sk run --rm "$reg/test/nothing:1" true
expect_eq "nothing left" "$(records) $(mounts_under_root) $(runtime_states)" "0 0 0"
echo "PASS: skiff run pulls what the store lacks"
