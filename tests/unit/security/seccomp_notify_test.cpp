// SCMP_ACT_NOTIFY end to end: the child's notified syscall waits for an agent, which receives
// the notification on the listener fd and answers it.
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <nlohmann/json.hpp>

#include "seccomp_util.hpp"

using namespace skiff::test;

namespace {

constexpr long kAgentAnswer = 4242;

// Plays the seccomp agent: receives one notification and makes the syscall return
// kAgentAnswer. Reports the syscall number the kernel saw.
long answer_one(int listener) {
    seccomp_notif req;
    std::memset(&req, 0, sizeof req);
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) return -errno;
    seccomp_notif_resp resp;
    std::memset(&resp, 0, sizeof resp);
    resp.id = req.id;
    resp.val = kAgentAnswer;
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) return -errno;
    return req.data.nr;
}

// Receives a message and at most one passed fd from a connected unix socket.
std::pair<std::string, int> recv_with_fd(int sock) {
    char buf[8192];
    iovec iov{buf, sizeof buf};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) return {"", -1};
    int fd = -1;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return {std::string(buf, static_cast<size_t>(n)), fd};
}

} // namespace

TEST_CASE("NOTIFY gives a listener fd the parent can take, receive on and answer", "[seccomp]") {
    SKIFF_NEED_ROOT();
    auto p = profile("SCMP_ACT_ALLOW", {rule({"getppid"}, "SCMP_ACT_NOTIFY")});
    p.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
    auto compiled = sec::compile_seccomp(p);
    REQUIRE(compiled.ok());
    CHECK(compiled->wants_listener);
    auto program = *compiled;

    // Like runc: the child reports the fd number and the parent copies it with pidfd_getfd.
    auto child = spawn([&](int out) {
        auto fd = sec::load_seccomp(program);
        if (!fd) {
            say(out, "error=" + fd.error().message + "\n");
            return 1;
        }
        say(out, "fd=" + std::to_string(*fd) + "\n");
        long got = rawcall(SYS_getppid); // blocks until the agent answers
        char buf[64];
        int n = snprintf(buf, sizeof buf, "getppid=%ld\n", got);
        return write(out, buf, static_cast<size_t>(n)) > 0 ? 0 : 2;
    });
    KillOnExit guard{child.pid};
    std::string line = read_line(child.out);
    INFO(line);
    REQUIRE(line.rfind("fd=", 0) == 0);
    int child_fd = std::stoi(line.substr(3));
    CHECK(child_fd >= 0);
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, child.pid, 0));
    REQUIRE(pidfd >= 0);
    int listener = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, child_fd, 0));
    close(pidfd);
    REQUIRE(listener >= 0);
    CHECK(answer_one(listener) == SYS_getppid);
    close(listener);
    guard.pid = -1;
    auto e = finish(child);
    INFO(e.out);
    CHECK(e.code == 0);
    CHECK(field(e.out, "getppid") == std::to_string(kAgentAnswer));
}

TEST_CASE("listenerPath receives runc's ContainerProcessState with the fd", "[seccomp]") {
    SKIFF_NEED_ROOT();
    char dir_template[] = "/tmp/skiff-agent.XXXXXX";
    REQUIRE(mkdtemp(dir_template));
    const std::string dir = dir_template, path = dir + "/agent.sock";
    int server = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct Cleanup {
        const std::string &dir, &path;
        int server;
        ~Cleanup() {
            if (server >= 0) close(server);
            unlink(path.c_str());
            rmdir(dir.c_str());
        }
    } cleanup{dir, path, server};
    REQUIRE(server >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    REQUIRE(bind(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(server, 1) == 0);

    auto p = profile("SCMP_ACT_ALLOW", {rule({"getppid"}, "SCMP_ACT_NOTIFY")});
    p.listener_path = path;
    p.listener_metadata = "agent-options=strict";
    auto compiled = sec::compile_seccomp(p);
    REQUIRE(compiled.ok());
    auto program = *compiled;

    auto child = spawn([&](int out) {
        auto fd = sec::load_seccomp(program);
        if (!fd) return 1;
        // A test shortcut: here the child sends; the runtime sends from the parent.
        std::string state = R"({"ociVersion":"1.2.0","id":"web","status":"creating","pid":)" +
                            std::to_string(getpid()) +
                            R"(,"bundle":"/b","annotations":{"k":"v"}})";
        auto sent = sec::send_seccomp_listener(program, *fd, state);
        if (!sent) {
            say(out, "error=" + sent.error().message + "\n");
            return 1;
        }
        close(*fd);
        long got = rawcall(SYS_getppid);
        char buf[64];
        int n = snprintf(buf, sizeof buf, "getppid=%ld\n", got);
        return write(out, buf, static_cast<size_t>(n)) > 0 ? 0 : 2;
    });
    KillOnExit guard{child.pid};
    int conn = accept4(server, nullptr, nullptr, SOCK_CLOEXEC);
    REQUIRE(conn >= 0);
    auto [text, listener] = recv_with_fd(conn);
    close(conn);
    INFO(text);
    REQUIRE(listener >= 0);
    auto msg = nlohmann::json::parse(text);
    CHECK(msg["ociVersion"] == "1.2.0");
    CHECK(msg["fds"] == nlohmann::json::array({"seccompFd"}));
    CHECK(msg["pid"] == child.pid);
    CHECK(msg["metadata"] == "agent-options=strict");
    CHECK(msg["state"]["id"] == "web");
    CHECK(msg["state"]["pid"] == child.pid);
    CHECK(msg["state"]["annotations"]["k"] == "v");
    // The key order of runc's Go struct, for agents that compare text.
    CHECK(text.rfind(R"({"ociVersion":"1.2.0","fds":["seccompFd"],"pid":)", 0) == 0);

    CHECK(answer_one(listener) == SYS_getppid);
    close(listener);
    guard.pid = -1;
    auto e = finish(child);
    INFO(e.out);
    CHECK(e.code == 0);
    CHECK(field(e.out, "getppid") == std::to_string(kAgentAnswer));
}

TEST_CASE("an unreachable listenerPath is an error naming it", "[seccomp]") {
    sec::SeccompProgram program;
    program.listener_path = "/nonexistent/skiff-agent.sock";
    program.wants_listener = true;
    auto r = sec::send_seccomp_listener(program, 0, R"({"id":"x","pid":1})");
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "seccomp agent /nonexistent/skiff-agent.sock: connect: No such file or directory");
    program.listener_path.clear();
    r = sec::send_seccomp_listener(program, 0, "{}");
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "linux.seccomp.listenerPath: missing (a rule uses SCMP_ACT_NOTIFY)");
}
