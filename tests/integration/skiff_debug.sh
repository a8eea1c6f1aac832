#!/usr/bin/env bash
# `skiff -D/--debug`: the container commands log their steps on stderr (the runtime library's
# debug log, the lines `skiff-runtime --debug` shows, and the CLI's own), one logrus line each;
# stdout stays the command's output, and without -D stderr stays empty.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/skiff_common.bash"
skiff_load_busybox

out=$(sk -D run --rm busybox echo hi 2>"$SKIFF_TMP/err")
err=$(cat "$SKIFF_TMP/err")
expect_eq "run -D stdout" "$out" "hi"
for step in "image busybox is manifest sha256:" ": bundle $SK_ROOT/containers/" "cgroup created: container" \
            "container created: container" "container started: container" \
            "container deleted (processes, cgroup and state removed)" "exited with code 0"; do
  expect_contains "run -D step" "$err" "$step"
done
bad=$(grep -cv '^time="[0-9TZ:-]*" level=debug msg=".*"$' <<<"$err" || true)
expect_eq "lines that are not debug lines" "$bad" 0

out=$(sk run --rm busybox echo hi 2>"$SKIFF_TMP/err")
expect_eq "run stdout" "$out" "hi"
expect_eq "run without -D: stderr" "$(cat "$SKIFF_TMP/err")" ""

id=$(sk --debug run -d --name dbg busybox sleep 100000 2>"$SKIFF_TMP/err")
[[ $id =~ ^[0-9a-f]{64}$ ]] || fail "run -d -D stdout: $id"
expect_contains "run -d -D" "$(cat "$SKIFF_TMP/err")" "container $id: detached monitor forked"
sk -D exec dbg true 2>"$SKIFF_TMP/err"
expect_contains "exec -D" "$(cat "$SKIFF_TMP/err")" "exec in container $id: true"
expect_contains "exec -D (runtime)" "$(cat "$SKIFF_TMP/err")" "exec process started: container $id"
sk -D rm -f dbg 2>"$SKIFF_TMP/err" >/dev/null
expect_contains "rm -f -D" "$(cat "$SKIFF_TMP/err")" "container deleted (processes, cgroup and state removed): container $id"
echo "PASS: skiff -D logs the steps of run, run -d, exec and rm on stderr"
