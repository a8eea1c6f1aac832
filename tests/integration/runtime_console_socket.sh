#!/bin/bash
# --console-socket: the runtime creates the pty inside the container and sends its master over
# the socket with SCM_RIGHTS (as conmon and containerd's shim expect); the process has the
# slave as its controlling terminal and /dev/console. Also exec -t with a console socket, and
# the refusals runc makes (terminal without socket when detached, socket without terminal).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/runtime_lib.bash"
need_cmd cc

# A tiny receiver: accepts one connection, receives the fd, writes what the terminal says to
# stdout until EOF (or "input" to the terminal first when given).
cat >"$SKIFF_TMP/recv.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
    unlink(argv[1]);
    if (bind(s, (void *)&a, sizeof a) || listen(s, 1)) { perror("bind"); return 1; }
    fprintf(stderr, "listening\n");
    int c = accept(s, 0, 0);
    char data[256], cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {data, sizeof data};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    if (recvmsg(c, &m, 0) < 0) { perror("recvmsg"); return 1; }
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    if (!h || h->cmsg_type != SCM_RIGHTS) { fprintf(stderr, "no fd\n"); return 1; }
    int fd; memcpy(&fd, CMSG_DATA(h), sizeof fd);
    if (argc > 2) write(fd, argv[2], strlen(argv[2]));
    char buf[4096]; ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout), fflush(stdout);
    return 0;
}
C
cc -o "$SKIFF_TMP/recv" "$SKIFF_TMP/recv.c" || fail "cannot build the receiver"

B="$SKIFF_TMP/bundle"
make_bundle "$B" sh -c 'tty; ls -l /dev/console | cut -c1; [ -t 0 ] && echo stdin-is-tty; read line; echo "got:$line"'
edit_config "$B" '.process.terminal=true'
id=$(new_id console)
sock="$SKIFF_TMP/console.sock"
"$SKIFF_TMP/recv" "$sock" $'hello\n' >"$SKIFF_TMP/console.out" 2>"$SKIFF_TMP/recv.err" &
rpid=$!
# bind() makes the socket file before listen(): wait for the receiver to say it listens.
wait_until 30 grep -q listening "$SKIFF_TMP/recv.err" || fail "receiver never listened"
rt create --console-socket "$sock" --bundle "$B" "$id"
rt start "$id"
wait_until 30 grep -q "got:" "$SKIFF_TMP/console.out" || true
out=$(tr -d '\r' <"$SKIFF_TMP/console.out")
grep -q '^/dev/pts/0$' <<<"$out" || fail "process has no pty: $out"
grep -q '^c$' <<<"$out" || fail "/dev/console is not the pty (char device): $out"
grep -q stdin-is-tty <<<"$out" || fail "stdin is not the terminal: $out"
grep -q '^got:hello$' <<<"$out" || fail "input through the master did not arrive: $out"
wait $rpid || true
wait_until 30 status_is "$id" stopped || fail "$id never stopped: $(rt state "$id" 2>&1)"
rt delete "$id"

# exec -t with a console socket.
edit_config "$B" '.process.terminal=false | .process.args=["sleep","1000"]'
id=$(new_id console-exec)
rt run -d --bundle "$B" "$id"
# A fresh path and log, so the wait sees this receiver, not the first.
sock2="$SKIFF_TMP/console-exec.sock"
"$SKIFF_TMP/recv" "$sock2" >"$SKIFF_TMP/exec.out" 2>"$SKIFF_TMP/recv2.err" &
rpid=$!
wait_until 30 grep -q listening "$SKIFF_TMP/recv2.err" || fail "second receiver never listened"
rt exec -t -d --console-socket "$sock2" "$id" sh -c 'tty; echo exec-tty-ok'
wait_until 30 grep -q exec-tty-ok "$SKIFF_TMP/exec.out" || true
grep -q '^/dev/pts/' "$SKIFF_TMP/exec.out" || fail "exec -t: $(cat "$SKIFF_TMP/exec.out")"
wait $rpid || true
rt delete --force "$id"

edit_config "$B" '.process.terminal=true'
expect_fail "cannot allocate tty" rt create --bundle "$B" "$id"
edit_config "$B" '.process.terminal=false'
expect_fail "cannot use console socket" rt create --console-socket "$sock" --bundle "$B" "$id"
assert_nothing_left "$id" "$B"
echo "PASS: runtime_console_socket"
