#!/usr/bin/env bash
# podman runs containers through skiff-runtime (`podman --runtime`): output, stdin and exit
# codes reach the user, the container is gone afterwards. Private podman storage, no network.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peers_lib.sh"
need_root
need_runtime
podman_setup

out=$(pm_run --rm --network none "$PODMAN_IMAGE" echo hi) || fail "podman run echo hi: exit $?"
expect_eq "podman run echo hi" "$out" hi

# The image's own Cmd and Env, and the OCI process fields podman derives from them.
out=$(pm_run --rm --network none -w /tmp -e GREETING=hey "$PODMAN_IMAGE" \
      sh -c 'echo "$PATH|$GREETING|$(pwd)|$(id -u)"') || fail "podman run with env/workdir: exit $?"
expect_eq "env, workdir, user" "$out" "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|hey|/tmp|0"

# Exit codes propagate (a signal death is in podman_detached.sh: PID 1 cannot kill itself).
rc=0; pm_run --rm --network none "$PODMAN_IMAGE" sh -c 'exit 3' || rc=$?
expect_eq "exit code of sh -c 'exit 3'" "$rc" 3
rc=0; pm_run --rm --network none "$PODMAN_IMAGE" false || rc=$?
expect_eq "exit code of false" "$rc" 1

# stdin without a terminal (-i) reaches the container and stdout/stderr stay apart.
out=$(printf 'line one\nline two\n' |
      pm_run --rm -i --network none "$PODMAN_IMAGE" sh -c 'wc -l; echo err >&2' 2>"$SKIFF_TMP/err") ||
  fail "podman run -i: exit $?"
expect_eq "stdin line count" "$(echo $out)" 2
expect_eq "stderr" "$(cat "$SKIFF_TMP/err")" err

# A distroless image: one static binary, no shell, no /etc (podman still mounts /etc/hosts and
# friends into it, so the runtime makes the mount points).
skopeo copy -q "oci:$(test_image hello-static):latest" \
  "containers-storage:[overlay@$PODMAN_DIR/root+$PODMAN_DIR/runroot]skiff.local/hello:latest" ||
  fail "skopeo copy hello-static"
rc=0; out=$(pm_run --rm --network none skiff.local/hello:latest /hello 9 static world 2>"$SKIFF_TMP/err") || rc=$?
expect_eq "hello-static stdout" "$out" "hello from skiff static world"
expect_eq "hello-static stderr" "$(cat "$SKIFF_TMP/err")" "hello-static: this line is on stderr"
expect_eq "hello-static exit code" "$rc" 9
expect_eq "image Cmd" "$(pm_run --rm --network none skiff.local/hello:latest 2>/dev/null)" "hello from skiff"

# The container really ran under the runtime under test, and --rm left nothing behind.
cid=$(pm_run -d --network none "$PODMAN_IMAGE" true)
pm wait "$cid" >/dev/null
expect_eq "OCI runtime podman used" "$(pm inspect --format '{{.OCIRuntime}}' "$cid")" "$SKIFF_RUNTIME"
pm rm "$cid" >/dev/null
expect_eq "containers left" "$(pm ps -aq | wc -l)" 0
echo "PASS: podman run through $SKIFF_RUNTIME"
