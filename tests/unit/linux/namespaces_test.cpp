// Namespace flags, joining by path (type checks, order), user namespace maps and time
// namespace offsets written from the parent.
#include <fcntl.h>
#include <sched.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "harness.hpp"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

using namespace skiff;
using namespace skiff::runtime::linux;

namespace {

oci::Linux with_namespaces(std::vector<oci::Namespace> ns) {
    oci::Linux l;
    l.namespaces = std::move(ns);
    return l;
}

// A process parked in fresh namespaces until killed.
struct Parked {
    pid_t pid = -1;
    explicit Parked(int flags, const char* hostname = nullptr) {
        int p[2];
        REQUIRE(pipe(p) == 0);
        pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            if (unshare(flags) != 0) _exit(1);
            if (hostname) sethostname(hostname, strlen(hostname));
            (void)!write(p[1], "x", 1);
            pause();
            _exit(0);
        }
        close(p[1]);
        char c;
        REQUIRE(read(p[0], &c, 1) == 1);
        close(p[0]);
    }
    ~Parked() {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
    std::string ns(const char* type) const { return "/proc/" + std::to_string(pid) + "/ns/" + type; }
};

} // namespace

TEST_CASE("clone_flags: all eight types, joined ones excluded, bad lists refused") {
    auto flags = clone_flags(with_namespaces({{"pid", ""}, {"network", ""}, {"mount", ""}, {"ipc", ""},
                                              {"uts", ""}, {"user", ""}, {"cgroup", ""}, {"time", ""}}));
    REQUIRE(flags.ok());
    CHECK(*flags == (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS |
                     CLONE_NEWUSER | CLONE_NEWCGROUP | CLONE_NEWTIME));
    auto joined = clone_flags(with_namespaces({{"pid", ""}, {"network", "/proc/1/ns/net"}}));
    REQUIRE(joined.ok());
    CHECK(*joined == CLONE_NEWPID);
    auto dup = clone_flags(with_namespaces({{"pid", ""}, {"pid", ""}}));
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().message == "linux.namespaces[1]: namespace \"pid\" listed twice");
    auto bad = clone_flags(with_namespaces({{"net", ""}}));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "linux.namespaces[0].type: unknown namespace type \"net\"");
}

TEST_CASE("open_namespaces_to_join: user first, mount last, types checked, paths named") {
    SKIFF_NEED_ROOT();
    auto list = open_namespaces_to_join(with_namespaces({{"mount", "/proc/self/ns/mnt"},
                                                         {"uts", "/proc/self/ns/uts"},
                                                         {"user", "/proc/self/ns/user"},
                                                         {"pid", ""}}));
    REQUIRE(list.ok());
    REQUIRE(list->fds.size() == 3);
    CHECK(list->fds[0].second == CLONE_NEWUSER);
    CHECK(list->fds[1].second == CLONE_NEWUTS);
    CHECK(list->fds[2].second == CLONE_NEWNS);
    JoinList moved = std::move(*list);
    CHECK(moved.fds.size() == 3);

    auto wrong = open_namespaces_to_join(with_namespaces({{"network", "/proc/self/ns/uts"}}));
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().message ==
          "network namespace /proc/self/ns/uts: is a uts namespace, not network");
    auto missing = open_namespaces_to_join(with_namespaces({{"ipc", "/nonexistent/ns"}}));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "open ipc namespace /nonexistent/ns: ENOENT");
    auto not_ns = open_namespaces_to_join(with_namespaces({{"ipc", "/etc/hostname"}}));
    REQUIRE_FALSE(not_ns.ok());
    CHECK(not_ns.error().message.find("ipc namespace /etc/hostname: not a namespace file") == 0);
}

TEST_CASE("join_namespaces enters the namespaces of another process") {
    SKIFF_NEED_ROOT();
    Parked other(CLONE_NEWUTS | CLONE_NEWIPC, "joined-host");
    auto linux = with_namespaces({{"uts", other.ns("uts")}, {"ipc", other.ns("ipc")}});
    auto r = test::run_in_namespaces(
        [&]() -> std::string {
            auto list = open_namespaces_to_join(linux);
            if (!list) return list.error().message;
            if (auto j = join_namespaces(*list); !j) return j.error().message;
            struct utsname u{};
            uname(&u);
            EXPECT_IN_CHILD(std::string(u.nodename) == "joined-host", u.nodename);
            return {};
        },
        0);
    INFO(r.output);
    CHECK(r.output.empty());
}

TEST_CASE("write_id_mappings_from_parent: maps written, nothing to do without a new user ns") {
    oci::Linux none = with_namespaces({{"pid", ""}});
    CHECK(write_id_mappings_from_parent(getpid(), none).ok());
    oci::Linux missing = with_namespaces({{"user", ""}});
    auto err = write_id_mappings_from_parent(getpid(), missing);
    REQUIRE_FALSE(err.ok());
    CHECK(err.error().message == "linux.uidMappings: required with a new user namespace");
    SKIFF_NEED_ROOT();
    Parked user(CLONE_NEWUSER);
    oci::Linux l = with_namespaces({{"user", ""}});
    l.uid_mappings = {{0, 200000, 1000}, {1000, 300000, 10}};
    l.gid_mappings = {{0, 200000, 1000}};
    auto w = write_id_mappings_from_parent(user.pid, l);
    INFO((w.ok() ? "" : w.error().message));
    REQUIRE(w.ok());
    auto uid_map = test::read_file("/proc/" + std::to_string(user.pid) + "/uid_map");
    CHECK(uid_map.find("200000") != std::string::npos);
    CHECK(uid_map.find("300000") != std::string::npos);
    CHECK(test::read_file("/proc/" + std::to_string(user.pid) + "/setgroups") == "allow\n");
    // A second write is refused by the kernel and reported with the field.
    auto again = write_id_mappings_from_parent(user.pid, l);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().message.find("linux.uidMappings: write /proc/") == 0);
}

TEST_CASE("time namespace offsets shift the monotonic and boottime clocks") {
    SKIFF_NEED_ROOT();
    oci::Linux l = with_namespaces({{"time", ""}});
    l.time_offsets = {{"monotonic", {1000, 0}}, {"boottime", {2000, 500}}};
    int ready[2], go[2], result[2];
    REQUIRE(pipe(ready) == 0);
    REQUIRE(pipe(go) == 0);
    REQUIRE(pipe(result) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // The container init: unshares, waits for the offsets, then its child is in the ns.
        timespec before{};
        clock_gettime(CLOCK_MONOTONIC, &before);
        char c = unshare(CLONE_NEWTIME) == 0 ? 1 : 0;
        (void)!write(ready[1], &c, 1);
        if (read(go[0], &c, 1) != 1 || c != 1) _exit(2);
        pid_t inner = fork();
        if (inner == 0) {
            timespec in{};
            clock_gettime(CLOCK_MONOTONIC, &in);
            long long delta = in.tv_sec - before.tv_sec;
            (void)!write(result[1], &delta, sizeof delta);
            _exit(0);
        }
        waitpid(inner, nullptr, 0);
        _exit(0);
    }
    char c = 0;
    REQUIRE(read(ready[0], &c, 1) == 1);
    REQUIRE(c == 1);
    auto w = write_time_offsets_from_parent(pid, l);
    INFO((w.ok() ? "" : w.error().message));
    c = w.ok() ? 1 : 0;
    REQUIRE(write(go[1], &c, 1) == 1);
    long long delta = 0;
    CHECK(read(result[0], &delta, sizeof delta) == sizeof delta);
    waitpid(pid, nullptr, 0);
    CHECK(w.ok());
    CHECK(delta >= 1000);
    CHECK(delta < 1010);

    oci::Linux bad = l;
    bad.time_offsets = {{"realtime", {1, 0}}};
    auto e = write_time_offsets_from_parent(pid, bad);
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().message == "linux.timeOffsets: unknown clock \"realtime\" (monotonic or boottime)");
    oci::Linux no_ns = with_namespaces({});
    no_ns.time_offsets = l.time_offsets;
    CHECK_FALSE(write_time_offsets_from_parent(pid, no_ns).ok());
}
