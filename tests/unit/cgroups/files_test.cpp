// Resource files this machine's kernel does not offer (v2 cpu/memory/io/pids, v1 net_cls,
// net_prio, rdma, blkio weights): Options.root points at a temp tree populated with the real
// file names, and the tests assert the exact values written.
#include "helpers.hpp"

#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

using namespace skiff::runtime::cgroups;
namespace oci = skiff::oci;
namespace fs = std::filesystem;

namespace {

struct Tree {
    std::string root;
    Tree() {
        char t[] = "/tmp/skiff-cgtree-XXXXXX";
        REQUIRE(::mkdtemp(t));
        root = t;
    }
    ~Tree() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
    void dir(const std::string& rel, const std::vector<std::string>& files) {
        fs::create_directories(root + "/" + rel);
        for (const auto& f : files) cgtest::put(root + "/" + rel + "/" + f, "");
    }
    std::string get(const std::string& rel) const { return cgtest::slurp(root + "/" + rel); }
    void set(const std::string& rel, const std::string& v) { cgtest::put(root + "/" + rel, v); }
};

const std::vector<std::string> kV2Files = {
    "cgroup.procs", "cgroup.subtree_control", "cgroup.freeze", "cpu.weight", "cpu.max",
    "cpu.max.burst", "cpu.idle", "cpuset.cpus", "cpuset.mems", "memory.max", "memory.swap.max",
    "memory.low", "memory.high", "memory.current", "pids.max", "io.weight", "io.max",
    "hugetlb.2MB.max", "hugetlb.2MB.rsvd.max", "rdma.max"};

// A v2 tree with the container directory "c1" below "pod" already present (plain directories
// have no interface files, so the test makes them).
Tree v2_tree() {
    Tree t;
    t.dir("", {"cgroup.subtree_control"});
    t.set("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma");
    t.dir("pod", {"cgroup.subtree_control"});
    t.set("pod/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma");
    t.dir("pod/c1", kV2Files);
    t.set("pod/c1/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma");
    t.set("pod/c1/memory.current", "5000000");
    return t;
}

Options tree_opts(const Tree& t, Mode m, const std::string& path) {
    Options o;
    o.container_id = "c1";
    o.cgroups_path = path;
    o.root = t.root;
    o.mode = m;
    return o;
}

std::unique_ptr<Cgroup> create_ok(const Options& o, const oci::Resources& r) {
    auto c = Cgroup::create(o, &r);
    if (!c.ok()) FAIL("create: " << c.error().message);
    return std::move(*c);
}

} // namespace

TEST_CASE("v2 files: cpu, cpuset, memory, pids, hugetlb, rdma, unified values") {
    Tree t = v2_tree();
    oci::Resources r;
    r.cpu = oci::Cpu{};
    r.cpu->shares = 1024;
    r.cpu->quota = 50000;
    r.cpu->period = 100000;
    r.cpu->burst = 20000;
    r.cpu->idle = true;
    r.cpu->cpus = "0-1";
    r.cpu->mems = "0";
    r.memory = oci::Memory{};
    r.memory->limit = 100 << 20;
    r.memory->swap = 300 << 20;
    r.memory->reservation = 50 << 20;
    r.memory->kernel = 1 << 20;      // no v2 file: ignored
    r.memory->swappiness = 50;       // no v2 file: ignored
    r.pids = oci::Pids{64};
    r.hugepage_limits.push_back({"2MB", 1 << 30});
    r.rdma["mlx5_0"] = oci::Rdma{3, 4};
    r.unified["memory.high"] = "90000000";
    auto cg = create_ok(tree_opts(t, Mode::V2, "/pod/c1"), r);
    CHECK(t.get("cgroup.subtree_control") == "+cpuset +cpu +io +memory +hugetlb +pids +rdma");
    CHECK(t.get("pod/cgroup.subtree_control") == "+cpuset +cpu +io +memory +hugetlb +pids +rdma");
    CHECK(t.get("pod/c1/cgroup.subtree_control").empty()); // not the leaf
    CHECK(t.get("pod/c1/cpu.weight") == "39");
    CHECK(t.get("pod/c1/cpu.max") == "50000 100000");
    CHECK(t.get("pod/c1/cpu.max.burst") == "20000");
    CHECK(t.get("pod/c1/cpu.idle") == "1");
    CHECK(t.get("pod/c1/cpuset.cpus") == "0-1");
    CHECK(t.get("pod/c1/cpuset.mems") == "0");
    CHECK(t.get("pod/c1/memory.max") == std::to_string(100 << 20));
    CHECK(t.get("pod/c1/memory.swap.max") == std::to_string(200 << 20)); // swap - limit
    CHECK(t.get("pod/c1/memory.low") == std::to_string(50 << 20));
    CHECK(t.get("pod/c1/memory.high") == "90000000");
    CHECK(t.get("pod/c1/pids.max") == "64");
    CHECK(t.get("pod/c1/hugetlb.2MB.max") == std::to_string(1 << 30));
    CHECK(t.get("pod/c1/hugetlb.2MB.rsvd.max") == std::to_string(1 << 30));
    CHECK(t.get("pod/c1/rdma.max") == "mlx5_0 hca_handle=3 hca_object=4");
    CHECK(cg->unified_path() == t.root + "/pod/c1");

    // update(): unlimited values become "max"; quota alone keeps the period.
    oci::Resources u;
    u.memory = oci::Memory{};
    u.memory->limit = -1;
    u.cpu = oci::Cpu{};
    u.cpu->quota = -1;
    u.pids = oci::Pids{-1};
    REQUIRE(cg->update(u).ok());
    CHECK(t.get("pod/c1/memory.max") == "max");
    CHECK(t.get("pod/c1/memory.swap.max") == "max");
    CHECK(t.get("pod/c1/cpu.max") == "max");
    CHECK(t.get("pod/c1/pids.max") == "max");

    // swap equal to the limit: no swap at all.
    u.memory->limit = 64 << 20;
    u.memory->swap = 64 << 20;
    REQUIRE(cg->update(u).ok());
    CHECK(t.get("pod/c1/memory.swap.max") == "0");

    // checkBeforeUpdate refuses a limit below memory.current (5000000 here).
    u.memory->limit = 1 << 20;
    u.memory->swap.reset();
    u.memory->check_before_update = true;
    auto refused = cg->update(u);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("below the current usage 5000000"));
    CHECK(t.get("pod/c1/memory.max") == std::to_string(64 << 20));
}

TEST_CASE("v2 files: io.weight and io.max lines") {
    Tree t = v2_tree();
    oci::Resources r;
    r.block_io = oci::BlockIO{};
    r.block_io->weight = 500;
    auto cg = create_ok(tree_opts(t, Mode::V2, "/pod/c1"), r);
    CHECK(t.get("pod/c1/io.weight") == "4950"); // no io.bfq.weight: converted to 1..10000

    struct Case {
        std::vector<oci::ThrottleDevice> oci::BlockIO::*list;
        const char* line;
    };
    const Case cases[] = {
        {&oci::BlockIO::throttle_read_bps_device, "8:0 rbps=1048576"},
        {&oci::BlockIO::throttle_write_bps_device, "8:0 wbps=1048576"},
        {&oci::BlockIO::throttle_read_iops_device, "8:0 riops=1048576"},
        {&oci::BlockIO::throttle_write_iops_device, "8:0 wiops=1048576"},
    };
    for (const auto& c : cases) {
        oci::Resources u;
        u.block_io = oci::BlockIO{};
        (*u.block_io).*(c.list) = {{8, 0, 1048576}};
        REQUIRE(cg->update(u).ok());
        CHECK(t.get("pod/c1/io.max") == c.line);
    }
    oci::Resources z;
    z.block_io = oci::BlockIO{};
    z.block_io->throttle_read_bps_device = {{259, 1, 0}}; // v1's "no limit"
    z.block_io->weight_device = {{8, 16, 200, std::nullopt}};
    REQUIRE(cg->update(z).ok());
    CHECK(t.get("pod/c1/io.max") == "259:1 rbps=max");
    CHECK(t.get("pod/c1/io.weight") == "8:16 1920");

    // With BFQ present the blkio weight goes there unconverted.
    t.set("pod/c1/io.bfq.weight", "");
    oci::Resources b;
    b.block_io = oci::BlockIO{};
    b.block_io->weight = 300;
    REQUIRE(cg->update(b).ok());
    CHECK(t.get("pod/c1/io.bfq.weight") == "300");
}

TEST_CASE("v2 files: errors name the field, a failed create removes what it made") {
    Tree t = v2_tree();
    t.set("pod/c1/cgroup.controllers", "cpu memory pids"); // no hugetlb, io, cpuset
    oci::Resources r;
    r.cpu = oci::Cpu{};
    r.cpu->realtime_runtime = 1000;
    auto rt = Cgroup::create(tree_opts(t, Mode::V2, "/pod/c1"), &r);
    REQUIRE_FALSE(rt.ok());
    CHECK_THAT(rt.error().message, Catch::Contains("realtime") && Catch::Contains("cgroup v2"));

    oci::Resources h;
    h.hugepage_limits.push_back({"2MB", 1});
    auto hr = Cgroup::create(tree_opts(t, Mode::V2, "/pod/c1"), &h);
    REQUIRE_FALSE(hr.ok());
    CHECK_THAT(hr.error().message, Catch::Contains("linux.resources.hugepageLimits") &&
                                       Catch::Contains("hugetlb controller is not enabled"));

    oci::Resources n;
    n.network = oci::Network{};
    n.network->class_id = 1;
    auto nr = Cgroup::create(tree_opts(t, Mode::V2, "/pod/c1"), &n);
    REQUIRE_FALSE(nr.ok());
    CHECK_THAT(nr.error().message, Catch::Contains("cgroup v2 has no net_cls controller"));

    oci::Resources u;
    u.unified["../escape"] = "1";
    auto ur = Cgroup::create(tree_opts(t, Mode::V2, "/pod/c1"), &u);
    REQUIRE_FALSE(ur.ok());
    CHECK_THAT(ur.error().message, Catch::Contains("not a cgroup file name"));

    // A new directory made by create() is gone after the failure; existing ones stay.
    oci::Resources m;
    m.memory = oci::Memory{};
    m.memory->swap = 10; // swap without a memory limit
    auto mr = Cgroup::create(tree_opts(t, Mode::V2, "/pod/new/deeper"), &m);
    REQUIRE_FALSE(mr.ok());
    CHECK_THAT(mr.error().message, Catch::Contains("linux.resources.memory"));
    CHECK_FALSE(cgtest::exists(t.root + "/pod/new"));
    CHECK(cgtest::exists(t.root + "/pod/c1"));
}

TEST_CASE("v1 files: net_cls, net_prio, rdma, blkio weights and throttles") {
    Tree t;
    t.dir("net_cls,net_prio/c1", {"cgroup.procs", "net_cls.classid", "net_prio.ifpriomap"});
    t.dir("rdma/c1", {"cgroup.procs", "rdma.max"});
    t.dir("blkio/c1", {"cgroup.procs", "blkio.weight", "blkio.leaf_weight", "blkio.weight_device",
                       "blkio.leaf_weight_device", "blkio.throttle.read_bps_device",
                       "blkio.throttle.write_iops_device"});
    t.dir("memory/c1", {"cgroup.procs", "memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
                        "memory.oom_control", "memory.kmem.limit_in_bytes"});
    t.set("memory/c1/memory.limit_in_bytes", "9223372036854771712");
    oci::Resources r;
    r.network = oci::Network{};
    r.network->class_id = 0x100001;
    r.network->priorities = {{"eth0", 5}};
    r.rdma["mlx4_0"] = oci::Rdma{std::nullopt, 7};
    r.block_io = oci::BlockIO{};
    r.block_io->weight = 500;
    r.block_io->leaf_weight = 300;
    r.block_io->weight_device = {{8, 0, 600, 700}};
    r.block_io->throttle_read_bps_device = {{8, 0, 4096}};
    r.block_io->throttle_write_iops_device = {{8, 16, 100}};
    r.memory = oci::Memory{};
    r.memory->limit = 1 << 26;
    r.memory->swap = 1 << 27;
    r.memory->kernel = 1 << 20;
    r.memory->disable_oom_killer = true;
    auto cg = create_ok(tree_opts(t, Mode::V1, "/c1"), r);
    CHECK(t.get("net_cls,net_prio/c1/net_cls.classid") == std::to_string(0x100001));
    CHECK(t.get("net_cls,net_prio/c1/net_prio.ifpriomap") == "eth0 5");
    CHECK(t.get("rdma/c1/rdma.max") == "mlx4_0 hca_object=7");
    CHECK(t.get("blkio/c1/blkio.weight") == "500"); // no blkio.bfq.weight in this tree
    CHECK(t.get("blkio/c1/blkio.leaf_weight") == "300");
    CHECK(t.get("blkio/c1/blkio.weight_device") == "8:0 600");
    CHECK(t.get("blkio/c1/blkio.leaf_weight_device") == "8:0 700");
    CHECK(t.get("blkio/c1/blkio.throttle.read_bps_device") == "8:0 4096");
    CHECK(t.get("blkio/c1/blkio.throttle.write_iops_device") == "8:16 100");
    CHECK(t.get("memory/c1/memory.limit_in_bytes") == std::to_string(1 << 26));
    CHECK(t.get("memory/c1/memory.memsw.limit_in_bytes") == std::to_string(1 << 27));
    CHECK(t.get("memory/c1/memory.kmem.limit_in_bytes") == std::to_string(1 << 20));
    CHECK(t.get("memory/c1/memory.oom_control") == "1");
    auto j = nlohmann::json::parse(cg->save());
    CHECK(j["mode"] == "v1");
    CHECK(j["v1"]["net_prio"] == t.root + "/net_cls,net_prio/c1");
    CHECK(cg->unified_path().empty());

    // Device rules go to devices.allow / devices.deny in order; a partial "a" rule is c + b.
    t.dir("devices/c2", {"cgroup.procs", "devices.allow", "devices.deny"});
    oci::Resources d;
    d.devices = {{false, "a", std::nullopt, std::nullopt, "rwm"},
                 {true, "a", std::nullopt, std::nullopt, "m"}};
    auto dc = Cgroup::create(tree_opts(t, Mode::V1, "/c2"), &d);
    REQUIRE(dc.ok());
    CHECK(t.get("devices/c2/devices.deny") == "a");
    CHECK(t.get("devices/c2/devices.allow") == "c *:* m\nb *:* m");
}

TEST_CASE("v2 files: stats read memory, swap, io.stat, pids, hugetlb in runc's layout") {
    Tree t = v2_tree();
    auto cg = create_ok(tree_opts(t, Mode::V2, "/pod/c1"), oci::Resources{});
    t.set("pod/c1/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\n"
                             "nr_throttled 2\nthrottled_usec 30\n");
    t.set("pod/c1/memory.current", "4096000");
    t.set("pod/c1/memory.max", "8192000");
    t.set("pod/c1/memory.peak", "5000000");
    t.set("pod/c1/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
    t.set("pod/c1/memory.swap.current", "1000");
    t.set("pod/c1/memory.swap.max", "max");
    t.set("pod/c1/memory.stat", "anon 100\nfile 2000\n");
    t.set("pod/c1/io.stat", "8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n"
                            "259:1 rbytes=30 wbytes=40 rios=3 wios=4 dbytes=0 dios=0\n");
    t.set("pod/c1/pids.current", "3");
    t.set("pod/c1/pids.max", "max");
    t.set("pod/c1/hugetlb.2MB.current", "2097152");
    t.set("pod/c1/hugetlb.2MB.max", "4194304");
    t.set("pod/c1/hugetlb.2MB.events", "max 5\n");
    auto s = cg->stats();
    REQUIRE(s.ok());
    CHECK(s->cpu_usage.total == 1500000);
    CHECK(s->cpu_usage.user == 1000000);
    CHECK(s->cpu_usage.kernel == 500000);
    CHECK(s->cpu_throttling.periods == 7);
    CHECK(s->cpu_throttling.throttled_periods == 2);
    CHECK(s->cpu_throttling.throttled_time == 30000);
    CHECK(s->memory.usage == 4096000);
    CHECK(s->memory.limit == 8192000);
    CHECK(s->memory.max == 5000000);
    CHECK(s->memory.failcnt == 3);
    CHECK(s->swap.usage == 4097000); // memory + swap, as v1's memsw
    CHECK(s->swap.limit == UINT64_MAX);
    CHECK(s->memory_cache == 2000);
    CHECK(s->memory_raw["anon"] == 100);
    REQUIRE(s->io_service_bytes.size() == 4);
    CHECK(s->io_service_bytes[2].major == 259);
    CHECK(s->io_service_bytes[2].minor == 1);
    CHECK(s->io_service_bytes[2].op == "Read");
    CHECK(s->io_service_bytes[2].value == 30);
    REQUIRE(s->io_serviced.size() == 4);
    CHECK(s->io_serviced[3].op == "Write");
    CHECK(s->io_serviced[3].value == 4);
    CHECK(s->pids_current == 3);
    CHECK(s->pids_limit == 0); // runc: 0 = unlimited
    CHECK(s->hugetlb["2MB"].usage == 2097152);
    CHECK(s->hugetlb["2MB"].limit == 4194304);
    CHECK(s->hugetlb["2MB"].failcnt == 5);
    CHECK(s->hugetlb.size() == 1); // hugetlb.2MB.rsvd.max is not a page size
    t.set("pod/c1/memory.events", "oom_kill 2\n");
    CHECK(*cg->oom_killed());
}

TEST_CASE("v1 files: blkio stats prefer the recursive CFQ/BFQ files, skip Total lines") {
    Tree t;
    t.dir("blkio/c1", {"cgroup.procs"});
    t.set("blkio/c1/blkio.bfq.io_service_bytes_recursive",
          "254:0 Read 4096\n254:0 Write 8192\n254:0 Sync 0\nTotal 12288\n");
    t.set("blkio/c1/blkio.bfq.io_serviced_recursive", "254:0 Read 1\n254:0 Write 2\nTotal 3\n");
    t.set("blkio/c1/blkio.throttle.io_service_bytes_recursive", "254:0 Read 1\nTotal 1\n");
    auto cg = create_ok(tree_opts(t, Mode::V1, "/c1"), oci::Resources{});
    auto s = cg->stats();
    REQUIRE(s.ok());
    REQUIRE(s->io_service_bytes.size() == 3);
    CHECK(s->io_service_bytes[1].op == "Write");
    CHECK(s->io_service_bytes[1].value == 8192);
    REQUIRE(s->io_serviced.size() == 2);
    CHECK(s->io_serviced[0].value == 1);
}

TEST_CASE("find: a lost container's existing directories, nothing made") {
    Tree t = v2_tree();
    auto found = Cgroup::find(tree_opts(t, Mode::V2, "/pod/c1"));
    REQUIRE(found.ok());
    auto saved = nlohmann::json::parse((*found)->save());
    CHECK(saved["unified"] == t.root + "/pod/c1");
    CHECK(saved["created"].empty()); // destroy() removes only the container's own directory

    auto missing = Cgroup::find(tree_opts(t, Mode::V2, "/pod/c2"));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ENOENT);
    CHECK(missing.error().message == "cgroup /pod/c2: not found");
    CHECK_FALSE(cgtest::exists(t.root + "/pod/c2"));
}
