// The sync protocol and the console fd passing, over real sockets.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "lifecycle/sync.hpp"
#include "lifecycle/terminal.hpp"

using namespace skiff;
using namespace skiff::runtime;

TEST_CASE("sync messages keep their boundaries and carry errors and EOF") {
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    REQUIRE(sync_send(sv[0], SyncType::Go, "{\"id\":\"a\"}").ok());
    REQUIRE(sync_send(sv[0], SyncType::Ready).ok());
    REQUIRE(sync_send(sv[0], SyncType::Error, "mount proc on /proc: EPERM").ok());
    auto go = sync_expect(sv[1], SyncType::Go, "eof");
    REQUIRE(go.ok());
    CHECK(*go == "{\"id\":\"a\"}");
    auto wrong = sync_expect(sv[1], SyncType::HooksDone, "eof");
    REQUIRE_FALSE(wrong.ok());
    auto err = sync_recv(sv[1], "eof");
    REQUIRE_FALSE(err.ok());
    CHECK(err.error().message == "mount proc on /proc: EPERM");
    ::close(sv[0]);
    auto eof = sync_recv(sv[1], "init died");
    REQUIRE_FALSE(eof.ok());
    CHECK(eof.error().message == "init died");
    ::close(sv[1]);
}

TEST_CASE("a pty master crosses a socket with SCM_RIGHTS") {
    if (::access("/dev/ptmx", R_OK | W_OK) != 0) {
        WARN("skipped: needs /dev/ptmx");
        return;
    }
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    auto pty = open_pty(oci::ConsoleSize{24, 80});
    REQUIRE(pty.ok());
    REQUIRE(send_fd(sv[0], pty->master.get(), pty->slave_path).ok());
    auto got = recv_fd(sv[1]);
    REQUIRE(got.ok());
    // What is written on the slave is read on the received master.
    REQUIRE(::write(pty->slave.get(), "hi\n", 3) == 3);
    char buf[16] = {};
    ssize_t n = ::read(got->get(), buf, sizeof buf);
    REQUIRE(n > 0);
    CHECK(std::string(buf, size_t(n)).find("hi") == 0);
    ::close(sv[0]);
    ::close(sv[1]);
}
