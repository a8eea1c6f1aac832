#!/bin/bash
# exec gives its process the container's confinement, including what only the runtime can
# hand over: with a seccomp profile that has SCMP_ACT_NOTIFY rules and a listenerPath, the
# exec'd process's listener reaches the agent just as the init's did at create (without it, a
# notified syscall fails with ENOSYS). --process-label sets the SELinux label and --apparmor the
# AppArmor profile; each is a clear error when its LSM is off, and the container lives on.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"
need_cmd cc

# The agent: accepts connections on a socket; each brings the ContainerProcessState JSON and a
# listener fd. It logs each JSON as a line and answers every notified syscall with EXDEV.
cat >"$SKIFF_TMP/agent.c" <<'C'
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
    if (bind(s, (void *)&a, sizeof a) || listen(s, 8)) { perror("bind"); return 1; }
    FILE *log = fopen(argv[2], "a");
    setvbuf(log, NULL, _IOLBF, 0);
    struct pollfd p[64] = {{.fd = s, .events = POLLIN}};
    int n = 1;
    for (;;) {
        if (poll(p, n, -1) < 0) continue;
        if (p[0].revents & POLLIN) {
            int c = accept(s, 0, 0);
            char data[8192], cbuf[CMSG_SPACE(sizeof(int))];
            struct iovec iov = {data, sizeof data - 1};
            struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
            ssize_t len = recvmsg(c, &m, 0);
            struct cmsghdr *h = CMSG_FIRSTHDR(&m);
            if (len > 0 && h && n < 64) {
                data[len] = 0;
                fprintf(log, "%s\n", data);
                memcpy(&p[n].fd, CMSG_DATA(h), sizeof(int));
                p[n++].events = POLLIN;
            }
            close(c);
        }
        for (int i = 1; i < n; i++) {
            if (!(p[i].revents & POLLIN)) continue;
            struct seccomp_notif req = {0};
            struct seccomp_notif_resp resp = {0};
            if (ioctl(p[i].fd, SECCOMP_IOCTL_NOTIF_RECV, &req)) continue;
            resp.id = req.id;
            resp.error = -EXDEV;
            ioctl(p[i].fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
        }
    }
}
C
cc -O1 -o "$SKIFF_TMP/agent" "$SKIFF_TMP/agent.c" || skip "cannot compile the seccomp agent"
sock="$SKIFF_TMP/agent.sock"
"$SKIFF_TMP/agent" "$sock" "$SKIFF_TMP/agent.log" &
agent=$!
cleanup "kill $agent"
wait_until 30 test -S "$sock" || fail "the seccomp agent never made its socket"

B="$SKIFF_TMP/bundle"
make_bundle "$B" sleep 1000
edit_config "$B" '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"'"$sock"'",
  "listenerMetadata":"exec-test","architectures":["SCMP_ARCH_X86_64"],
  "syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_NOTIFY"}]}'
id=$(new_id exec-confine)
rt run -d --pid-file "$SKIFF_TMP/init.pid" --bundle "$B" "$id"
init=$(cat "$SKIFF_TMP/init.pid")
[ "$(wc -l <"$SKIFF_TMP/agent.log")" = 1 ] || fail "agent did not get the init's listener at create"

out=$(rt exec "$id" sh -c 'mkdir /tmp/d 2>&1; echo rc=$?')
grep -q "Invalid cross-device link" <<<"$out" || fail "exec's notified mkdir was not answered by the agent: $out"
[ "$(wc -l <"$SKIFF_TMP/agent.log")" = 2 ] || fail "agent got $(wc -l <"$SKIFF_TMP/agent.log") listeners, want 2"
msg=$(sed -n 2p "$SKIFF_TMP/agent.log")
jq -e '.fds == ["seccompFd"] and .metadata == "exec-test" and .state.id == "'"$id"'" and
       .state.pid == '"$init"' and .pid != '"$init"' and .pid > 0' <<<"$msg" >/dev/null ||
  fail "exec's ContainerProcessState: $msg"
# With no_new_privs the filter goes in last; the listener is forwarded all the same.
out=$(rt exec --no-new-privs "$id" sh -c 'mkdir /tmp/d 2>&1; echo rc=$?')
grep -q "Invalid cross-device link" <<<"$out" || fail "exec --no-new-privs: notified mkdir: $out"
[ "$(wc -l <"$SKIFF_TMP/agent.log")" = 3 ] || fail "agent did not get the --no-new-privs exec's listener"
echo "ok: exec forwards its seccomp listener to the agent"

# SELinux label and AppArmor profile: applied where the LSM is on, a clear error where it is off.
if grep -q selinuxfs /proc/filesystems; then
  label=$(cat /proc/self/attr/current)
  [ "$(rt exec --process-label "$label" "$id" cat /proc/self/attr/current | tr -d '\0')" = "$label" ] ||
    fail "exec --process-label $label"
  echo "ok: exec --process-label"
else
  expect_fail 'container_t:s0\" set but SELinux is not enabled' \
    rt exec --process-label system_u:system_r:container_t:s0 "$id" true
fi
if [ -e /sys/module/apparmor/parameters/enabled ]; then
  [ "$(rt exec --apparmor unconfined "$id" cat /proc/self/attr/current | tr -d '\0')" = unconfined ] ||
    fail "exec --apparmor unconfined"
  echo "ok: exec --apparmor"
else
  expect_fail 'skiff-test\" set but AppArmor is not enabled' \
    rt exec --apparmor skiff-test "$id" true
fi
[ "$(rt_status "$id")" = running ] || fail "container after refused execs: $(rt state "$id")"
[ "$(rt ps -f json "$id" | jq length)" = 1 ] || fail "a refused exec left a process: $(rt ps "$id")"

rt delete --force "$id"
assert_nothing_left "$id" "$B"
echo "PASS: runtime_exec_confinement"
