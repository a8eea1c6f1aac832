// From the JSON a user writes (linux.resources, `update -r`) to the cgroup files, through the
// oci parser; plus a timing of create/enter/destroy on this host (hidden: run with [.bench]).
#include "helpers.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "skiff/oci/resources.hpp"

using namespace skiff::runtime::cgroups;
namespace oci = skiff::oci;
namespace fs = std::filesystem;

namespace {

const char* kResources = R"({
  "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
  "memory": {"limit": 268435456, "reservation": 134217728, "swap": 536870912},
  "cpu": {"shares": 2048, "quota": 20000, "period": 100000, "cpus": "0"},
  "pids": {"limit": 32},
  "blockIO": {"weight": 1000, "throttleWriteBpsDevice": [{"major": 8, "minor": 0, "rate": 1000}]},
  "hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}],
  "unified": {"memory.oom.group": "1"}
})";

} // namespace

TEST_CASE("resources JSON -> cgroup v2 files (file tree)") {
    auto r = oci::parse_resources(kResources);
    REQUIRE(r.ok());
    r->devices.clear(); // the eBPF filter needs a real cgroup2 directory (tested in v2_real_test)
    char t[] = "/tmp/skiff-cgjson-XXXXXX";
    REQUIRE(::mkdtemp(t));
    std::string root = t;
    fs::create_directories(root + "/c");
    for (const char* f : {"cgroup.subtree_control", "cgroup.procs", "cpu.weight", "cpu.max",
                          "cpuset.cpus", "memory.max", "memory.low", "memory.swap.max",
                          "memory.oom.group", "pids.max", "io.weight", "io.max",
                          "hugetlb.2MB.max"})
        cgtest::put(root + "/c/" + f, "");
    cgtest::put(root + "/cgroup.subtree_control", "");
    for (const char* d : {"/", "/c/"})
        cgtest::put(root + d + "cgroup.controllers", "cpuset cpu io memory hugetlb pids");
    Options o;
    o.container_id = "c";
    o.cgroups_path = "/c";
    o.root = root;
    o.mode = Mode::V2;
    auto cg = Cgroup::create(o, &*r);
    if (!cg.ok()) FAIL(cg.error().message);
    CHECK(cgtest::slurp(root + "/c/cpu.weight") == "79");
    CHECK(cgtest::slurp(root + "/c/cpu.max") == "20000 100000");
    CHECK(cgtest::slurp(root + "/c/cpuset.cpus") == "0");
    CHECK(cgtest::slurp(root + "/c/memory.max") == "268435456");
    CHECK(cgtest::slurp(root + "/c/memory.low") == "134217728");
    CHECK(cgtest::slurp(root + "/c/memory.swap.max") == "268435456");
    CHECK(cgtest::slurp(root + "/c/memory.oom.group") == "1");
    CHECK(cgtest::slurp(root + "/c/pids.max") == "32");
    CHECK(cgtest::slurp(root + "/c/io.weight") == "10000");
    CHECK(cgtest::slurp(root + "/c/io.max") == "8:0 wbps=1000");
    CHECK(cgtest::slurp(root + "/c/hugetlb.2MB.max") == "2097152");
    std::error_code ec;
    fs::remove_all(root, ec);
}

TEST_CASE("resources JSON -> this host's hierarchies (hybrid: v1 plus hugetlb in cgroup2)") {
    CG_NEED_ROOT();
    if (!cgtest::exists("/sys/fs/cgroup/unified/cgroup.procs") ||
        !cgtest::exists("/sys/fs/cgroup/memory/cgroup.procs")) {
        WARN("skipped: needs this machine's hybrid layout");
        return;
    }
    auto r = oci::parse_resources(kResources);
    REQUIRE(r.ok());
    r->block_io.reset(); // no blkio weight without a BFQ/CFQ disk here
    r->unified.clear();  // memory is a v1 controller here
    Options o;
    o.container_id = cgtest::unique_name("json");
    auto cg = Cgroup::create(o, &*r);
    if (!cg.ok()) FAIL(cg.error().message);
    auto j = nlohmann::json::parse((*cg)->save());
    CHECK(j["mode"] == "hybrid");
    std::string mem = j["v1"]["memory"], cpu = j["v1"]["cpu"], dev = j["v1"]["devices"];
    CHECK(cgtest::slurp(mem + "/memory.limit_in_bytes") == "268435456");
    CHECK(cgtest::slurp(mem + "/memory.memsw.limit_in_bytes") == "536870912");
    CHECK(cgtest::slurp(cpu + "/cpu.shares") == "2048");
    CHECK(cgtest::slurp(dev + "/devices.list") == "c 1:3 rw");
    CHECK(cgtest::slurp((*cg)->unified_path() + "/hugetlb.2MB.max") == "2097152");
    REQUIRE((*cg)->destroy().ok());
    CHECK_FALSE(cgtest::exists(mem));
}

TEST_CASE("timing: create + enter + destroy on this host", "[.bench]") {
    CG_NEED_ROOT();
    oci::Resources r;
    r.memory = oci::Memory{};
    r.memory->limit = 64 << 20;
    r.pids = oci::Pids{100};
    r.cpu = oci::Cpu{};
    r.cpu->shares = 512;
    std::vector<double> create_us, enter_us, destroy_us;
    for (int i = 0; i < 30; ++i) {
        cgtest::Child c([] {
            for (;;) ::pause();
            return 0;
        });
        Options o;
        o.container_id = cgtest::unique_name("bench"); // relative: stays below our own cgroups
        auto t0 = std::chrono::steady_clock::now();
        auto cg = Cgroup::create(o, &r);
        REQUIRE(cg.ok());
        auto te = std::chrono::steady_clock::now();
        REQUIRE((*cg)->enter(c.pid).ok());
        auto t1 = std::chrono::steady_clock::now();
        ::kill(c.pid, SIGKILL);
        REQUIRE(c.wait());
        auto t2 = std::chrono::steady_clock::now();
        REQUIRE((*cg)->destroy().ok());
        auto t3 = std::chrono::steady_clock::now();
        create_us.push_back(std::chrono::duration<double, std::micro>(te - t0).count());
        enter_us.push_back(std::chrono::duration<double, std::micro>(t1 - te).count());
        destroy_us.push_back(std::chrono::duration<double, std::micro>(t3 - t2).count());
    }
    std::sort(create_us.begin(), create_us.end());
    std::sort(enter_us.begin(), enter_us.end());
    std::sort(destroy_us.begin(), destroy_us.end());
    // enter is dominated by cgroup.procs writes: the first migration waits for an RCU grace
    // period (cgroup_threadgroup_rwsem), the following ones are cheap.
    WARN("median of 30, this host, relative path: create+apply " << create_us[15]
         << " us, enter " << enter_us[15] << " us, destroy " << destroy_us[15] << " us");
}
