#!/usr/bin/env bash
# containerd's runc shim (io.containerd.runc.v2) drives skiff-runtime as its runc binary: output
# and exit codes reach `ctr run`, and the shim called exactly the runtime under test.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peers_lib.sh"
need_root
need_runtime
containerd_setup

out=$(cr_run --rm "$CTR_IMAGE" run1 echo hi) || fail "ctr run echo hi: exit $?"
expect_eq "ctr run echo hi" "$out" hi

rc=0; cr_run --rm "$CTR_IMAGE" run2 sh -c 'exit 3' || rc=$?
expect_eq "exit code of sh -c 'exit 3'" "$rc" 3

# The image config reaches the process: Env from the image, stdout and stderr kept apart.
out=$(cr_run --rm "$CTR_IMAGE" run3 sh -c 'echo "$PATH"; echo err >&2' 2>"$SKIFF_TMP/err") ||
  fail "ctr run env: exit $?"
expect_eq "PATH from the image config" "$out" "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
expect_eq "stderr" "$(cat "$SKIFF_TMP/err")" err

# The shim ran the runtime under test for the whole lifecycle (create, start, delete), under
# the state root we gave it.
grep -q -- "--root $CTR_DIR/runtime-root/$CTR_NS .* create .* run1\$" "$CTR_RUNTIME_LOG" ||
  fail "no create of run1 through $SKIFF_RUNTIME: $(cat "$CTR_RUNTIME_LOG")"
grep -q -- " start run1\$" "$CTR_RUNTIME_LOG" || fail "no start of run1: $(cat "$CTR_RUNTIME_LOG")"
grep -q -- " delete run1\$" "$CTR_RUNTIME_LOG" || fail "no delete of run1: $(cat "$CTR_RUNTIME_LOG")"
expect_eq "tasks left" "$(cr task ls -q | wc -l)" 0
expect_eq "containers left" "$(cr containers ls -q | wc -l)" 0
echo "PASS: ctr run through $SKIFF_RUNTIME"
