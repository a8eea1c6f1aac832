// cgroup v2 for real: the driver pointed at a real cgroup2 mount (on our hybrid build machines
// /sys/fs/cgroup/unified, whose only controller is hugetlb; on a v2 host /sys/fs/cgroup).
// Creation, joining, cgroup.freeze, listing, cgroup.kill, hugetlb, removal, the device filter.
#include "helpers.hpp"

#include <linux/magic.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include <cerrno>

#include "cgroups/devices_bpf.hpp"
#include "cgroups/internal.hpp"

using namespace skiff::runtime::cgroups;
namespace oci = skiff::oci;
using cgtest::Child;

namespace {

std::string v2_root() {
    for (const char* r : {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"}) {
        struct statfs fs;
        if (::statfs(r, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) return r;
    }
    return {};
}

#define CG_NEED_V2()                                                                               \
    CG_NEED_ROOT();                                                                                \
    const std::string root = v2_root();                                                            \
    if (root.empty()) {                                                                            \
        WARN("skipped: no cgroup2 mount on this host");                                            \
        return;                                                                                    \
    }

Options v2_opts(const std::string& root, const char* tag) {
    Options o;
    o.container_id = cgtest::unique_name(tag);
    o.cgroups_path = "/" + o.container_id;
    o.root = root;
    return o;
}

using cgtest::Guard;
using cgtest::make;

int sleeper() {
    for (;;) ::pause();
    return 0;
}

} // namespace

TEST_CASE("v2 (real mount): create, enter, pids, freeze via cgroup.freeze, thaw, destroy") {
    CG_NEED_V2();
    auto o = v2_opts(root, "v2life");
    auto g = make(o, nullptr);
    const std::string dir = root + "/" + o.container_id;
    CHECK(g->unified_path() == dir);
    CHECK(cgtest::exists(dir + "/cgroup.procs"));

    Child busy(cgtest::busy_loop), idle(sleeper);
    REQUIRE(g->enter(busy.pid).ok());
    REQUIRE(g->enter(idle.pid).ok());
    busy.go();
    idle.go();
    auto pids = g->pids();
    REQUIRE(pids.ok());
    CHECK(pids->size() == 2);

    cgtest::sleep_ms(100);
    REQUIRE(g->freeze().ok());
    CHECK(*g->frozen());
    CHECK(cgtest::slurp(dir + "/cgroup.freeze") == "1");
    auto t0 = cgtest::cpu_ticks(busy.pid);
    cgtest::sleep_ms(300);
    CHECK(cgtest::cpu_ticks(busy.pid) == t0);
    REQUIRE(g->thaw().ok());
    bool grew = false;
    for (int i = 0; i < 200 && !grew; ++i) { // 10 s: the box may be busy
        cgtest::sleep_ms(50);
        grew = cgtest::cpu_ticks(busy.pid) > t0;
    }
    CHECK(grew);
    CHECK_FALSE(*g->frozen());

    auto s = g->stats();
    REQUIRE(s.ok());
    CHECK(s->cpu_usage.total > 0); // cpu.stat exists without the cpu controller

    // cgroup.kill reaches frozen processes too.
    REQUIRE(g->freeze().ok());
    REQUIRE(g->kill_all(SIGKILL).ok());
    REQUIRE(busy.wait());
    REQUIRE(idle.wait());
    CHECK(busy.killed_by(SIGKILL));
    CHECK(idle.killed_by(SIGKILL));
    REQUIRE(g->destroy().ok());
    CHECK_FALSE(cgtest::exists(dir));
    g.cg.reset();
}

TEST_CASE("v2 (real mount): kill_all with another signal freezes, signals, thaws") {
    CG_NEED_V2();
    auto g = make(v2_opts(root, "v2term"), nullptr);
    Child a(sleeper);
    REQUIRE(g->enter(a.pid).ok());
    a.go();
    REQUIRE(g->kill_all(SIGTERM).ok());
    REQUIRE(a.wait());
    CHECK(a.killed_by(SIGTERM));
    CHECK_FALSE(*g->frozen());
}

TEST_CASE("v2 (real mount): nested descendants are listed and removed leaf-first") {
    CG_NEED_V2();
    auto o = v2_opts(root, "v2nest");
    auto g = make(o, nullptr);
    const std::string dir = g->unified_path();
    // The container makes its own sub-cgroup (as systemd in a container would).
    REQUIRE(::mkdir((dir + "/inner").c_str(), 0755) == 0);
    Child a(sleeper);
    REQUIRE(cgtest::exists(dir + "/inner/cgroup.procs"));
    cgtest::put(dir + "/inner/cgroup.procs", std::to_string(a.pid));
    a.go();
    auto pids = g->pids();
    REQUIRE(pids.ok());
    REQUIRE(pids->size() == 1);
    CHECK((*pids)[0] == a.pid);
    REQUIRE(g->kill_all(SIGKILL).ok());
    REQUIRE(a.wait());
    REQUIRE(g->destroy().ok());
    CHECK_FALSE(cgtest::exists(dir));
    g.cg.reset();
}

TEST_CASE("v2 (real mount): hugetlb limits, controllers absent here are clear errors") {
    CG_NEED_V2();
    std::string avail = cgtest::slurp(root + "/cgroup.controllers");
    if (avail.find("hugetlb") == std::string::npos) {
        WARN("skipped: hugetlb is not in " << root << "/cgroup.controllers");
        return;
    }
    oci::Resources r;
    r.hugepage_limits.push_back({"2MB", 8 << 20});
    auto g = make(v2_opts(root, "v2huge"), &r);
    CHECK(cgtest::slurp(g->unified_path() + "/hugetlb.2MB.max") == std::to_string(8 << 20));
    auto s = g->stats();
    REQUIRE(s.ok());
    CHECK(s->hugetlb["2MB"].limit == (8u << 20));

    if (avail.find("memory") == std::string::npos) {
        auto o = v2_opts(root, "v2nomem");
        oci::Resources m;
        m.memory = oci::Memory{};
        m.memory->limit = 1 << 26;
        auto c = Cgroup::create(o, &m);
        REQUIRE_FALSE(c.ok());
        CHECK_THAT(c.error().message, Catch::Contains("linux.resources.memory") &&
                                          Catch::Contains("memory controller is not enabled"));
        CHECK_FALSE(cgtest::exists(root + "/" + o.container_id));
    }
}

TEST_CASE("v2 (real mount): the eBPF device filter is loaded, attached and enforced") {
    CG_NEED_V2();
    oci::Resources r;
    r.devices.push_back({false, "a", std::nullopt, std::nullopt, "rwm"});
    r.devices.push_back({true, "c", 1, 3, "rw"}); // /dev/null
    r.devices.push_back({true, "c", 1, 5, "r"});  // /dev/zero, read only
    auto o = v2_opts(root, "v2dev");
    auto c = Cgroup::create(o, &r);
    if (!c.ok()) {
        // Attaching needs a kernel with BPF_CGROUP_DEVICE; say so rather than pass quietly.
        FAIL("device filter could not be attached here: " << c.error().message);
    }
    Guard g{std::move(*c)};
    auto probe = [] {
        if (::open("/dev/null", O_RDWR) < 0) return 1;
        int z = ::open("/dev/zero", O_RDONLY);
        if (z < 0) return 2;
        if (::open("/dev/zero", O_WRONLY) >= 0 || errno != EPERM) return 3;
        if (::open("/dev/full", O_RDONLY) >= 0 || errno != EPERM) return 4;
        return 0;
    };
    Child a(probe);
    REQUIRE(g->enter(a.pid).ok());
    a.go();
    REQUIRE(a.wait());
    CHECK(a.exit_code() == 0);
    WARN("device eBPF program attached to " << g->unified_path()
                                            << " and enforced (BPF_CGROUP_DEVICE works here)");

    // update() replaces the program: now everything is allowed, and only one program is left.
    oci::Resources all;
    all.devices.push_back({true, "a", std::nullopt, std::nullopt, "rwm"});
    REQUIRE(g->update(all).ok());
    Child b([] { return ::open("/dev/full", O_RDONLY) >= 0 ? 0 : 1; });
    REQUIRE(g->enter(b.pid).ok());
    b.go();
    REQUIRE(b.wait());
    CHECK(b.exit_code() == 0);

    int dfd = ::open(g->unified_path().c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(dfd >= 0);
    uint32_t ids[8];
    bpf_attr q{};
    q.query.target_fd = static_cast<uint32_t>(dfd);
    q.query.attach_type = BPF_CGROUP_DEVICE;
    q.query.prog_ids = reinterpret_cast<uint64_t>(ids);
    q.query.prog_cnt = 8;
    REQUIRE(::syscall(__NR_bpf, BPF_PROG_QUERY, &q, sizeof q) == 0);
    CHECK(q.query.prog_cnt == 1);
    ::close(dfd);
}
