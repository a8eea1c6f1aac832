// cgroupsPath semantics, mode detection and the v2 value conversions.
#include "helpers.hpp"

#include "cgroups/internal.hpp"

using namespace skiff::runtime::cgroups;
using namespace skiff::runtime::cgroups::detail;

namespace {

Options opts(const std::string& id, std::optional<std::string> path, bool systemd = false) {
    Options o;
    o.container_id = id;
    o.cgroups_path = std::move(path);
    o.systemd = systemd;
    return o;
}

std::string inner(const Options& o) {
    auto r = inner_path(o);
    REQUIRE(r.ok());
    return r->path;
}

std::string inner_error(const Options& o) {
    auto r = inner_path(o);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
}

} // namespace

TEST_CASE("cgroupsPath absent: a relative path named by the container id") {
    CHECK(inner(opts("abc", std::nullopt)) == "abc");
    CHECK(inner(opts("abc", std::string(""))) == "abc");
    CHECK_THAT(inner_error(opts("", std::nullopt)), Catch::Contains("empty container id"));
}

TEST_CASE("cgroupsPath is cleaned like runc: relative paths never climb out") {
    CHECK(inner(opts("x", std::string("/a/b/../c//d/."))) == "/a/c/d");
    CHECK(inner(opts("x", std::string("/../../etc"))) == "/etc");
    CHECK(inner(opts("x", std::string("a/../../b"))) == "b");
    CHECK(inner(opts("x", std::string("pod/ctr"))) == "pod/ctr");
    CHECK_THAT(inner_error(opts("x", std::string("/"))), Catch::Contains("names the root cgroup"));
    CHECK_THAT(inner_error(opts("x", std::string("/.."))), Catch::Contains("\"/..\""));
    CHECK_THAT(inner_error(opts("x", std::string(".."))), Catch::Contains("own cgroup"));
}

TEST_CASE("systemd cgroupsPath slice:prefix:name maps onto cgroupfs directories") {
    CHECK(inner(opts("x", std::string("system.slice:docker:1234"), true)) ==
          "/system.slice/docker-1234.scope");
    CHECK(inner(opts("x", std::string("a-b-c.slice:pfx:id"), true)) ==
          "/a.slice/a-b.slice/a-b-c.slice/pfx-id.scope");
    CHECK(inner(opts("x", std::string(":crio:id"), true)) == "/system.slice/crio-id.scope");
    CHECK(inner(opts("x", std::string("user.slice::id"), true)) == "/user.slice/id.scope");
    CHECK(inner(opts("x", std::string("-.slice:p:id"), true)) == "/p-id.scope");
    CHECK(inner(opts("x", std::string("kubepods.slice:p:kubepods-burstable.slice"), true)) ==
          "/kubepods.slice/kubepods-burstable.slice");
    CHECK(inner(opts("ctr1", std::nullopt, true)) == "/system.slice/skiff-ctr1.scope");
}

TEST_CASE("malformed systemd cgroupsPath is an error naming it") {
    CHECK_THAT(inner_error(opts("x", std::string("/sys/fs/foo"), true)),
               Catch::Contains("\"/sys/fs/foo\"") && Catch::Contains("slice:prefix:name"));
    CHECK_THAT(inner_error(opts("x", std::string("a:b"), true)), Catch::Contains("slice:prefix:name"));
    CHECK_THAT(inner_error(opts("x", std::string("foo:p:n"), true)), Catch::Contains("must end in .slice"));
    CHECK_THAT(inner_error(opts("x", std::string("a--b.slice:p:n"), true)),
               Catch::Contains("empty component"));
    CHECK_THAT(inner_error(opts("x", std::string("system.slice:p:"), true)),
               Catch::Contains("name part is empty"));
    CHECK_THAT(inner_error(opts("x", std::string("system.slice:p:a/b"), true)),
               Catch::Contains("may not contain /"));
}

TEST_CASE("expand_slice follows systemd's nesting") {
    CHECK(*expand_slice("system.slice") == "/system.slice");
    CHECK(*expand_slice("a-b.slice") == "/a.slice/a-b.slice");
    CHECK(*expand_slice("-.slice") == "/");
    CHECK_FALSE(expand_slice(".slice").ok());
    CHECK_FALSE(expand_slice("-a.slice").ok());
    CHECK_FALSE(expand_slice("a/b.slice").ok());
}

TEST_CASE("hierarchy_dir: absolute from the root, relative from our own cgroup (v2: its parent)") {
    Hierarchy mem{"/sys/fs/cgroup/memory", "/", {"memory"}, false};
    Hierarchy v2{"/sys/fs/cgroup", "/", {}, true};
    CHECK(hierarchy_dir(mem, InnerPath{"/x/y"}, "", false) == "/sys/fs/cgroup/memory/x/y");
    CHECK(hierarchy_dir(mem, InnerPath{"ctr"}, "/process_api/abc", false) ==
          "/sys/fs/cgroup/memory/process_api/abc/ctr");
    CHECK(hierarchy_dir(mem, InnerPath{"ctr"}, "/", false) == "/sys/fs/cgroup/memory/ctr");
    CHECK(hierarchy_dir(v2, InnerPath{"ctr"}, "/user.slice/session-1.scope", true) ==
          "/sys/fs/cgroup/user.slice/ctr");
    CHECK(hierarchy_dir(v2, InnerPath{"ctr"}, "/", true) == "/sys/fs/cgroup/ctr");
    // A mount showing a sub-tree (cgroup namespace, bind mount): strip its root.
    Hierarchy sub{"/sys/fs/cgroup/cpu", "/docker/abc", {"cpu"}, false};
    CHECK(hierarchy_dir(sub, InnerPath{"ctr"}, "/docker/abc/inner", false) ==
          "/sys/fs/cgroup/cpu/inner/ctr");
}

TEST_CASE("own cgroup from /proc/self/cgroup, co-mounted controllers included") {
    auto p = parse_proc_cgroup("12:cpu,cpuacct:/a\n9:name=systemd:/s\n4:memory:/m/n\n0::/u\n");
    CHECK(*own_cgroup(Hierarchy{"/x", "/", {"cpuacct"}, false}, p) == "/a");
    CHECK(*own_cgroup(Hierarchy{"/x", "/", {"memory"}, false}, p) == "/m/n");
    CHECK(*own_cgroup(Hierarchy{"/x", "/", {"name=systemd"}, false}, p) == "/s");
    CHECK(*own_cgroup(Hierarchy{"/x", "/", {}, true}, p) == "/u");
    CHECK_FALSE(own_cgroup(Hierarchy{"/x", "/", {"pids"}, false}, p).has_value());
}

TEST_CASE("detect_mode on this machine's mounts") {
    // Our build machines: v1 controllers on a tmpfs plus cgroup2 at /sys/fs/cgroup/unified.
    if (!cgtest::exists("/sys/fs/cgroup/unified/cgroup.procs")) {
        WARN("skipped: this host has no hybrid layout");
        return;
    }
    auto m = detect_mode("/sys/fs/cgroup");
    REQUIRE(m.ok());
    CHECK(*m == Mode::Hybrid);
    CHECK(*detect_mode("/sys/fs/cgroup/unified") == Mode::V2);
    CHECK(*detect_mode("/sys/fs/cgroup/memory") == Mode::V1);
    auto bad = detect_mode("/proc");
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error().message, Catch::Contains("/proc"));
    auto missing = detect_mode("/nonexistent-cgroup-root");
    REQUIRE_FALSE(missing.ok());
    CHECK_THAT(missing.error().message, Catch::Contains("statfs /nonexistent-cgroup-root"));
}

TEST_CASE("discover_layout finds each v1 hierarchy and the cgroup2 part") {
    if (!cgtest::exists("/sys/fs/cgroup/unified/cgroup.procs")) {
        WARN("skipped: this host has no hybrid layout");
        return;
    }
    auto l = discover_layout("/sys/fs/cgroup", std::nullopt);
    REQUIRE(l.ok());
    CHECK(l->mode == Mode::Hybrid);
    bool memory = false, unified = false, systemd = false;
    for (const auto& h : l->hierarchies) {
        if (h.unified) unified = h.mount == "/sys/fs/cgroup/unified";
        if (contains(h.controllers, "memory")) memory = h.mount == "/sys/fs/cgroup/memory";
        if (contains(h.controllers, "name=systemd")) systemd = true;
    }
    CHECK(memory);
    CHECK(unified);
    CHECK(systemd);
}

TEST_CASE("v2 conversions match runc 1.1 / crun 1.8") {
    CHECK(cpu_shares_to_weight(0) == 0);
    CHECK(cpu_shares_to_weight(2) == 1);
    CHECK(cpu_shares_to_weight(1024) == 39);
    CHECK(cpu_shares_to_weight(262144) == 10000);
    CHECK(blkio_weight_to_io_weight(10) == 1);
    CHECK(blkio_weight_to_io_weight(500) == 4950);
    CHECK(blkio_weight_to_io_weight(1000) == 10000);
    CHECK(*swap_max_v2(std::nullopt, std::nullopt) == "");
    CHECK(*swap_max_v2(std::nullopt, -1) == "max");
    CHECK(*swap_max_v2(-1, 100) == "max");
    CHECK(*swap_max_v2(300, 100) == "200");
    CHECK(*swap_max_v2(100, 100) == "0");
    CHECK_THAT(swap_max_v2(50, 100).error().message, Catch::Contains("memory.swap"));
    CHECK_THAT(swap_max_v2(50, std::nullopt).error().message, Catch::Contains("needs a memory limit"));
}
