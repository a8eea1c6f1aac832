#!/bin/bash
# The syscalls the container init spends on its root filesystem for runc's default config
# (prepare_rootfs, enter_rootfs, set_hostname, finalize_rootfs), counted with strace between
# the markers the unit-test harness leaves. Fails if the count grows past the budget, so a
# change that adds work on the create path shows up here.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd strace
BIN="$SKIFF_BUILD_DIR/tests/unit_linux"
[ -x "$BIN" ] || skip "unit_linux not built ($BIN)"
BUDGET=${SKIFF_ROOTFS_SYSCALL_BUDGET:-100}

trace="$SKIFF_TMP/trace"
strace -f -qq -o "$trace" "$BIN" "runc's default config*" >"$SKIFF_TMP/out" 2>&1 ||
  { cat "$SKIFF_TMP/out"; fail "the default-config test failed under strace"; }
# A call interrupted by another process's line is printed twice ("<unfinished ...>", then
# "<... NAME resumed>"): count it once, at its first line.
awk '/skiff-setup-begin/{on=1; next} /skiff-setup-end/{on=0} on && !/^[0-9]+ +<\.\.\. /' "$trace" >"$SKIFF_TMP/setup"
count=$(wc -l <"$SKIFF_TMP/setup")
[ "$count" -gt 20 ] || fail "markers not found in the trace (got $count lines)"
echo "rootfs set-up syscalls for runc's default config: $count (budget $BUDGET)"
awk '{sub(/^[0-9]+ +/, ""); sub(/\(.*/, ""); print}' "$SKIFF_TMP/setup" | sort | uniq -c | sort -rn
[ "$count" -le "$BUDGET" ] || fail "$count syscalls, over the budget of $BUDGET"
