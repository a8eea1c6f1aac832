#include <sys/resource.h>

#include "child.hpp"
#include "security/security.hpp"

namespace sec = skiff::runtime::security;
using skiff::oci::Rlimit;
using namespace skiff::test;

namespace {

std::string limits_of(int resource) {
    rlimit r{};
    getrlimit(resource, &r);
    return std::to_string(r.rlim_cur) + "/" + std::to_string(r.rlim_max);
}

} // namespace

TEST_CASE("rlimits are applied and read back with getrlimit", "[rlimits]") {
    auto e = run_in_child([](int out) {
        auto r = sec::apply_rlimits({{"RLIMIT_NOFILE", 2048, 1024},
                                     {"RLIMIT_CORE", 0, 0},
                                     {"RLIMIT_NPROC", 5000, 4000},
                                     {"RLIMIT_MSGQUEUE", 4096, 1024},
                                     {"RLIMIT_CPU", RLIM_INFINITY, 3600}});
        if (!r) say(out, "error=" + r.error().message + "\n");
        say(out, "nofile=" + limits_of(RLIMIT_NOFILE) + "\ncore=" + limits_of(RLIMIT_CORE) +
                     "\nnproc=" + limits_of(RLIMIT_NPROC) + "\nmsgqueue=" +
                     limits_of(RLIMIT_MSGQUEUE) + "\ncpu=" + limits_of(RLIMIT_CPU) + "\n");
        return 0;
    });
    INFO(e.out);
    REQUIRE(e.code == 0);
    CHECK(field(e.out, "nofile") == "1024/2048");
    CHECK(field(e.out, "core") == "0/0");
    CHECK(field(e.out, "nproc") == "4000/5000");
    CHECK(field(e.out, "msgqueue") == "1024/4096");
    CHECK(field(e.out, "cpu") == "3600/" + std::to_string(RLIM_INFINITY));
}

TEST_CASE("an unknown rlimit type is an error naming the entry, and nothing is applied",
          "[rlimits]") {
    auto e = run_in_child([](int out) {
        std::string before = limits_of(RLIMIT_NOFILE);
        auto r = sec::apply_rlimits({{"RLIMIT_NOFILE", 100, 50}, {"RLIMIT_FOO", 1, 1}});
        say(out, "error=" + (r ? std::string("none") : r.error().message) + "\n");
        say(out, "unchanged=" + std::string(before == limits_of(RLIMIT_NOFILE) ? "yes" : "no") + "\n");
        return 0;
    });
    INFO(e.out);
    CHECK(field(e.out, "error") == "process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\"");
    CHECK(field(e.out, "unchanged") == "yes");
}

TEST_CASE("a soft rlimit above the hard one is refused before any syscall", "[rlimits]") {
    auto r = sec::apply_rlimits({{"RLIMIT_CORE", 10, 20}});
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "process.rlimits[0]: soft limit 20 is above hard limit 10 (RLIMIT_CORE)");
}

TEST_CASE("rlimits can be set on another process by pid", "[rlimits]") {
    // The child waits until the parent has set its limit, then reports what it sees.
    int go[2];
    REQUIRE(pipe(go) == 0);
    auto child = spawn([&](int out) {
        close(go[1]);
        char c;
        (void)read(go[0], &c, 1);
        say(out, "nofile=" + limits_of(RLIMIT_NOFILE) + "\n");
        return 0;
    });
    close(go[0]);
    KillOnExit guard{child.pid};
    auto r = sec::apply_rlimits({{"RLIMIT_NOFILE", 700, 300}}, child.pid);
    CHECK(r.ok());
    close(go[1]);
    guard.pid = -1;
    auto e = finish(child);
    CHECK(field(e.out, "nofile") == "300/700");
}

TEST_CASE("raising a hard rlimit without CAP_SYS_RESOURCE names the limit and the syscall",
          "[rlimits]") {
    auto e = run_in_child([](int out) {
        rlimit lower{100, 100};
        setrlimit(RLIMIT_NOFILE, &lower);
        // Without CAP_SYS_RESOURCE a process may lower but never raise its hard limit.
        if (!sec::apply_capabilities({})) return 2;
        auto r = sec::apply_rlimits({{"RLIMIT_NOFILE", 200, 200}});
        say(out, "error=" + (r ? std::string("none") : r.error().message) + "\n");
        return 0;
    });
    INFO(e.out);
    REQUIRE(e.code == 0);
    CHECK(field(e.out, "error") ==
          "setrlimit RLIMIT_NOFILE (soft 200, hard 200): Operation not permitted");
}
