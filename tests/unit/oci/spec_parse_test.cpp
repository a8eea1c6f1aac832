#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "rich_config.hpp"
#include "skiff/oci/resources.hpp"
#include "skiff/oci/spec.hpp"

using nlohmann::json;
using namespace skiff::oci;

namespace {

json minimal() {
    return json::parse(R"({
      "ociVersion": "1.0.2",
      "process": {"args": ["sh"], "cwd": "/"},
      "root": {"path": "rootfs"},
      "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
      "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "mount"},
                               {"type": "ipc"}, {"type": "uts"}]}
    })");
}

// Sets the value at a JSON pointer in the minimal config (a null `value` removes it) and
// returns the parse error message.
std::string error_with(const std::string& pointer, const json& value) {
    json doc = minimal();
    json::json_pointer ptr(pointer);
    if (value.is_null()) doc[ptr.parent_pointer()].erase(ptr.back());
    else doc[ptr] = value;
    auto r = parse_spec(doc.dump());
    if (r.ok()) FAIL("parse of config with " << pointer << " = " << value.dump() << " succeeded");
    return r.error().message;
}

} // namespace

TEST_CASE("every field of a rich config.json is parsed") {
    auto r = parse_spec(skiff_test::kRichConfig);
    INFO((r.ok() ? "" : r.error().message));
    REQUIRE(r.ok());
    skiff_test::check_rich(*r);
}

TEST_CASE("the minimal config parses with defaults") {
    auto r = parse_spec(minimal().dump());
    REQUIRE(r.ok());
    CHECK(r->process->cwd == "/");
    CHECK_FALSE(r->process->terminal);
    CHECK_FALSE(r->process->capabilities);
    CHECK_FALSE(r->hooks);
    CHECK_FALSE(r->linux_->resources);
    CHECK_FALSE(r->linux_->cgroups_path);
    CHECK(r->linux_->rootfs_propagation.empty());
}

TEST_CASE("unknown properties are ignored at every level") {
    json doc = minimal();
    doc["vm"] = {{"hypervisor", {{"path", "x"}}}};
    doc["windows"] = {{"layerFolders", json::array()}};
    doc["process"]["commandLine"] = "ignored";
    doc["process"]["user"] = {{"uid", 1}, {"newThing", {1, 2}}};
    doc["root"]["what"] = 1;
    doc["mounts"][0]["extra"] = "x";
    doc["linux"]["netDevices"] = {{"eth0", json::object()}};
    doc["linux"]["memoryPolicy"] = {{"mode", "MPOL_BIND"}};
    auto r = parse_spec(doc.dump());
    INFO((r.ok() ? "" : r.error().message));
    REQUIRE(r.ok());
    CHECK(r->process->user.uid == 1);
}

TEST_CASE("null values count as absent, as in Go") {
    json doc = minimal();
    doc["hooks"] = nullptr;
    doc["process"]["env"] = nullptr;
    doc["process"]["capabilities"] = {{"bounding", nullptr}};
    doc["annotations"] = nullptr;
    auto r = parse_spec(doc.dump());
    REQUIRE(r.ok());
    CHECK_FALSE(r->hooks);
    REQUIRE(r->process->capabilities);
    CHECK_FALSE(r->process->capabilities->bounding);
}

TEST_CASE("type errors name the JSON path and the offending type") {
    CHECK(error_with("/process/user/uid", "0") ==
          "config.json: process.user.uid: expected an unsigned integer, got string");
    CHECK(error_with("/process/user/uid", -1) ==
          "config.json: process.user.uid: expected an unsigned integer, got -1");
    CHECK(error_with("/process/user/uid", 1.5) ==
          "config.json: process.user.uid: expected an unsigned integer, got 1.5");
    CHECK(error_with("/process/user/uid", 4294967296) ==
          "config.json: process.user.uid: 4294967296 is out of range (at most 4294967295)");
    CHECK(error_with("/process/terminal", "yes") ==
          "config.json: process.terminal: expected a boolean, got string");
    CHECK(error_with("/process/args", "sh") ==
          "config.json: process.args: expected an array, got string");
    CHECK(error_with("/process/args/0", 5) ==
          "config.json: process.args[0]: expected a string, got 5");
    CHECK(error_with("/process", json::array()) ==
          "config.json: process: expected an object, got array");
    CHECK(error_with("/linux/namespaces/2", "mount") ==
          "config.json: linux.namespaces[2]: expected an object, got string");
    CHECK(error_with("/annotations", {{"a", 1}}) ==
          "config.json: annotations[\"a\"]: expected a string, got 1");
    CHECK(error_with("/linux/sysctl", {{"net.core.somaxconn", true}}) ==
          "config.json: linux.sysctl[\"net.core.somaxconn\"]: expected a string, got boolean");
    CHECK(error_with("/linux/resources", {{"memory", {{"limit", "1G"}}}}) ==
          "config.json: linux.resources.memory.limit: expected an integer, got string");
    CHECK(error_with("/linux/resources", {{"memory", {{"limit", 9223372036854775808ull}}}}) ==
          "config.json: linux.resources.memory.limit: 9223372036854775808 is out of range (at "
          "most 9223372036854775807)");
    CHECK(error_with("/linux/resources", {{"blockIO", {{"weight", 70000}}}}) ==
          "config.json: linux.resources.blockIO.weight: 70000 is out of range (at most 65535)");
    CHECK(error_with("/linux/resources",
                     {{"rdma", {{"mlx5_1", {{"hcaHandles", "x"}}}}}}) ==
          "config.json: linux.resources.rdma[\"mlx5_1\"].hcaHandles: expected an unsigned "
          "integer, got string");
    CHECK(error_with("/linux/seccomp",
                     {{"defaultAction", "SCMP_ACT_ALLOW"},
                      {"syscalls",
                       {{{"names", {"x"}},
                         {"action", "SCMP_ACT_ERRNO"},
                         {"args", {{{"index", 0}, {"valueTwo", -1}, {"op", "SCMP_CMP_EQ"}}}}}}}}) ==
          "config.json: linux.seccomp.syscalls[0].args[0].valueTwo: expected an unsigned integer, "
          "got -1");
}

TEST_CASE("required fields are reported by path") {
    CHECK(error_with("/ociVersion", nullptr) == "config.json: ociVersion: required");
    CHECK(error_with("/ociVersion", "") == "config.json: ociVersion: must not be empty");
    CHECK(error_with("/process", nullptr) == "config.json: process: required");
    CHECK(error_with("/root", nullptr) == "config.json: root: required");
    CHECK(error_with("/root/path", nullptr) == "config.json: root.path: required");
    CHECK(error_with("/root/path", "") == "config.json: root.path: must not be empty");
    CHECK(error_with("/process/args", nullptr) == "config.json: process.args: required");
    CHECK(error_with("/process/args", json::array()) ==
          "config.json: process.args: must not be empty");
    CHECK(error_with("/process/cwd", nullptr) == "config.json: process.cwd: required");
    CHECK(error_with("/mounts/0/destination", nullptr) ==
          "config.json: mounts[0].destination: required");
    CHECK(error_with("/mounts/0/destination", "") ==
          "config.json: mounts[0].destination: must not be empty");
    CHECK(error_with("/linux/namespaces/1/type", nullptr) ==
          "config.json: linux.namespaces[1].type: required");
    CHECK(error_with("/linux/seccomp", {{"syscalls", json::array()}}) ==
          "config.json: linux.seccomp.defaultAction: required");
    CHECK(error_with("/linux/resources", {{"pids", json::object()}}) ==
          "config.json: linux.resources.pids.limit: required");
    CHECK(error_with("/linux/resources", {{"devices", {{{"access", "rwm"}}}}}) ==
          "config.json: linux.resources.devices[0].allow: required");
    CHECK(error_with("/linux/resources", {{"hugepageLimits", {{{"limit", 1}}}}}) ==
          "config.json: linux.resources.hugepageLimits[0].pageSize: required");
    CHECK(error_with("/hooks", {{"poststop", {{{"args", {"x"}}}}}}) ==
          "config.json: hooks.poststop[0].path: required");
}

TEST_CASE("invalid values are reported by path") {
    CHECK(error_with("/process/cwd", "work") ==
          "config.json: process.cwd: must be an absolute path, got \"work\"");
    CHECK(error_with("/process/env", {"PATH=/bin", "NOEQUALS"}) ==
          "config.json: process.env[1]: invalid environment variable \"NOEQUALS\": expected "
          "NAME=value");
    CHECK(error_with("/linux/namespaces/2/type", "foo") ==
          "config.json: linux.namespaces[2].type: unknown namespace type \"foo\"");
    CHECK(error_with("/linux/namespaces/4/type", "pid") ==
          "config.json: linux.namespaces[4].type: duplicate namespace type \"pid\"");
    CHECK(error_with("/linux/namespaces/1/path", "run/netns/x") ==
          "config.json: linux.namespaces[1].path: must be an absolute path, got \"run/netns/x\"");
    CHECK(error_with("/hooks", {{"prestart", {{{"path", "hook.sh"}}}}}) ==
          "config.json: hooks.prestart[0].path: must be an absolute path, got \"hook.sh\"");
    CHECK(error_with("/hooks", {{"createRuntime", {{{"path", "/bin/true"}, {"timeout", 0}}}}}) ==
          "config.json: hooks.createRuntime[0].timeout: must be greater than 0, got 0");
    CHECK(error_with("/process/rlimits", {{{"type", "RLIMIT_FOO"}, {"hard", 1}, {"soft", 1}}}) ==
          "config.json: process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\"");
    CHECK(error_with("/process/rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1}, {"soft", 2}}}) ==
          "config.json: process.rlimits[0]: soft limit 2 exceeds hard limit 1");
    CHECK(error_with("/process/rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1}, {"soft", 1}},
                                          {{"type", "RLIMIT_NOFILE"}, {"hard", 2}, {"soft", 2}}}) ==
          "config.json: process.rlimits[1].type: duplicate rlimit type \"RLIMIT_NOFILE\"");
    CHECK(error_with("/linux/rootfsPropagation", "sideways") ==
          "config.json: linux.rootfsPropagation: unknown rootfs propagation \"sideways\"");
    CHECK(error_with("/linux/namespaces/5", {{"type", "user"}}) ==
          "config.json: linux.uidMappings: a new user namespace needs uidMappings");
    CHECK(error_with("/linux/uidMappings", {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}}) ==
          "config.json: linux.uidMappings: id mappings need a user namespace in linux.namespaces");
    CHECK(error_with("/linux/uidMappings", {{{"containerID", 0}, {"hostID", 1000}, {"size", 0}}}) ==
          "config.json: linux.uidMappings[0].size: must be greater than 0");
    CHECK(error_with("/mounts/0/uidMappings", {{{"containerID", 0}, {"hostID", 1}, {"size", 0}}}) ==
          "config.json: mounts[0].uidMappings[0].size: must be greater than 0");
    CHECK(error_with("/mounts/0/uidMappings", {{{"containerID", 0}, {"hostID", 1}, {"size", 5}}}) ==
          "config.json: mounts[0].gidMappings: idmapped mount needs both uidMappings and "
          "gidMappings");
    CHECK(error_with("/process/ioPriority", {{"class", "IOPRIO_CLASS_FAST"}}) ==
          "config.json: process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_FAST\"");
    CHECK(error_with("/process/ioPriority", {{"class", "IOPRIO_CLASS_RT"}, {"priority", 8}}) ==
          "config.json: process.ioPriority.priority: 8 is out of range (0..7)");
    CHECK(error_with("/process/scheduler", {{"policy", "SCHED_FAST"}}) ==
          "config.json: process.scheduler.policy: unknown scheduler policy \"SCHED_FAST\"");
    CHECK(error_with("/process/oomScoreAdj", 1001) ==
          "config.json: process.oomScoreAdj: 1001 is out of range (-1000..1000)");
}

TEST_CASE("more invalid values are reported by path") {
    CHECK(error_with("/ociVersion", "2.0.0") ==
          "config.json: ociVersion: unsupported version \"2.0.0\" (skiff supports 1.x)");
    CHECK(error_with("/ociVersion", 1) == "config.json: ociVersion: expected a string, got 1");
    CHECK(error_with("/process/env", {"=x"}) ==
          "config.json: process.env[0]: invalid environment variable \"=x\": expected NAME=value");
    CHECK(error_with("/process/env", {"A=1", std::string("B=x\0y", 5)}) ==
          "config.json: process.env[1]: environment variable contains a NUL byte");
    CHECK(error_with("/process/args", {"sh", std::string("a\0b", 3)}) ==
          "config.json: process.args[1]: contains a NUL byte");
    CHECK(error_with("/process/scheduler", {{"policy", "SCHED_OTHER"}, {"nice", 20}}) ==
          "config.json: process.scheduler.nice: 20 is out of range (-20..19)");
    CHECK(error_with("/process/scheduler", {{"policy", "SCHED_OTHER"}, {"flags", {"SCHED_FLAG_RECLAIM", "SCHED_FLAG_X"}}}) ==
          "config.json: process.scheduler.flags[1]: unknown scheduler flag \"SCHED_FLAG_X\"");
    CHECK(error_with("/process/scheduler", {{"nice", 1}}) ==
          "config.json: process.scheduler.policy: required");
    CHECK(error_with("/process/ioPriority", {{"priority", 1}}) ==
          "config.json: process.ioPriority.class: required");
    CHECK(error_with("/process/consoleSize", {{"height", -1}}) ==
          "config.json: process.consoleSize.height: expected an unsigned integer, got -1");
    CHECK(error_with("/process/capabilities", {{"bounding", {"CAP_KILL", 3}}}) ==
          "config.json: process.capabilities.bounding[1]: expected a string, got 3");
    CHECK(error_with("/process/user/additionalGids", {1, "2"}) ==
          "config.json: process.user.additionalGids[1]: expected an unsigned integer, got string");
    CHECK(error_with("/linux/personality", {{"domain", "BSD"}}) ==
          "config.json: linux.personality.domain: unknown personality domain \"BSD\"");
    CHECK(error_with("/linux/intelRdt", {{"closID", 1}}) ==
          "config.json: linux.intelRdt.closID: expected a string, got 1");
    CHECK(error_with("/linux/cgroupsPath", json::array()) ==
          "config.json: linux.cgroupsPath: expected a string, got array");
    CHECK(error_with("/linux/maskedPaths", {"/proc/kcore", nullptr, false}) ==
          "config.json: linux.maskedPaths[2]: expected a string, got boolean");
    CHECK(error_with("/linux/resources", {{"network", {{"priorities", {{{"name", "eth0"}, {"priority", -1}}}}}}}) ==
          "config.json: linux.resources.network.priorities[0].priority: expected an unsigned integer, got -1");
    CHECK(error_with("/linux/resources", {{"unified", {{"memory.max", 5}}}}) ==
          "config.json: linux.resources.unified[\"memory.max\"]: expected a string, got 5");
    CHECK(error_with("/root/readonly", "true") ==
          "config.json: root.readonly: expected a boolean, got string");
    CHECK(error_with("/hooks", {{"poststart", {{{"path", "/x"}, {"args", "x"}}}}}) ==
          "config.json: hooks.poststart[0].args: expected an array, got string");
}

TEST_CASE("cross-field rules runc applies at create are checked") {
    json doc = minimal();
    doc["hostname"] = "box";
    doc["linux"]["namespaces"].erase(4); // uts
    auto r = parse_spec(doc.dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "config.json: hostname: setting the hostname needs a uts namespace in linux.namespaces");

    doc = minimal();
    doc["linux"]["sysctl"] = {{"net.ipv4.ip_forward", "1"}};
    doc["linux"]["namespaces"].erase(1); // network
    r = parse_spec(doc.dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message ==
          "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: sysctl needs a network namespace in linux.namespaces");

    CHECK(error_with("/linux/sysctl", {{"vm.swappiness", "1"}}) ==
          "config.json: linux.sysctl[\"vm.swappiness\"]: sysctl is not namespaced: it would "
          "change the host");
    CHECK(error_with("/linux/timeOffsets", {{"monotonic", {{"secs", 1}}}}) ==
          "config.json: linux.timeOffsets: time offsets need a new time namespace");

    doc = minimal();
    doc["linux"]["namespaces"].push_back({{"type", "time"}});
    doc["linux"]["timeOffsets"] = {{"realtime", {{"secs", 1}}}};
    r = parse_spec(doc.dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "config.json: linux.timeOffsets[\"realtime\"]: unknown clock "
                               "(expected monotonic or boottime)");

    doc = minimal();
    doc["domainname"] = "example.org";
    doc["linux"]["namespaces"].erase(4); // uts
    r = parse_spec(doc.dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message ==
          "config.json: domainname: setting the domainname needs a uts namespace in linux.namespaces");

    doc = minimal();
    doc["linux"]["sysctl"] = {{"kernel.msgmax", "1"}};
    doc["linux"]["namespaces"].erase(3); // ipc
    r = parse_spec(doc.dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message ==
          "config.json: linux.sysctl[\"kernel.msgmax\"]: sysctl needs an ipc namespace in linux.namespaces");

    doc = minimal();
    doc["linux"]["sysctl"] = {{"kernel.hostname", "h"}};
    doc["linux"]["namespaces"].erase(4); // uts
    r = parse_spec(doc.dump());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message ==
          "config.json: linux.sysctl[\"kernel.hostname\"]: sysctl needs a uts namespace in linux.namespaces");

    doc = minimal();
    doc["linux"]["sysctl"] = {{"kernel.msgmax", "1"}, {"fs.mqueue.queues_max", "5"},
                              {"kernel.domainname", "x"}, {"net.core.somaxconn", "1"}};
    CHECK(parse_spec(doc.dump()).ok());

    doc = minimal();
    doc["linux"]["namespaces"].push_back({{"type", "user"}, {"path", "/proc/1/ns/user"}});
    CHECK(parse_spec(doc.dump()).ok()); // joining a user namespace needs no mappings
}

TEST_CASE("linux devices and device rules are validated") {
    CHECK(error_with("/linux/devices", {{{"type", "x"}, {"path", "/dev/x"}}}) ==
          "config.json: linux.devices[0].type: unknown device type \"x\"");
    CHECK(error_with("/linux/devices", {{{"type", "c"}, {"path", "dev/x"}, {"major", 1}, {"minor", 3}}}) ==
          "config.json: linux.devices[0].path: must be an absolute path, got \"dev/x\"");
    CHECK(error_with("/linux/devices", {{{"type", "c"}, {"path", "/dev/x"}, {"major", 1}}}) ==
          "config.json: linux.devices[0].minor: required");
    CHECK(error_with("/linux/resources", {{"devices", {{{"allow", true}, {"type", "z"}}}}}) ==
          "config.json: linux.resources.devices[0].type: unknown device rule type \"z\"");
    CHECK(error_with("/linux/resources", {{"devices", {{{"allow", true}, {"access", "rwx"}}}}}) ==
          "config.json: linux.resources.devices[0].access: invalid access \"rwx\": expected "
          "letters of rwm");
    CHECK(error_with("/linux/resources", {{"memory", {{"swappiness", 101}}}}) ==
          "config.json: linux.resources.memory.swappiness: 101 is out of range (0..100)");
    CHECK(error_with("/linux/resources", {{"cpu", {{"idle", 2}}}}) ==
          "config.json: linux.resources.cpu.idle: 2 is out of range (0..1)");
    CHECK(error_with("/linux/resources", {{"blockIO", {{"weightDevice", {{{"major", 8}, {"minor", 0}, {"weight", 5}}}}}}}) ==
          "config.json: linux.resources.blockIO.weightDevice[0].weight: 5 is out of range (10..1000)");
    CHECK(error_with("/linux/resources", {{"blockIO", {{"throttleWriteIOPSDevice", {{{"major", 8}, {"minor", 0}}}}}}}) ==
          "config.json: linux.resources.blockIO.throttleWriteIOPSDevice[0].rate: required");
}

TEST_CASE("seccomp values are validated") {
    CHECK(error_with("/linux/seccomp", {{"defaultAction", "SCMP_ACT_MAYBE"}}) ==
          "config.json: linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_MAYBE\"");
    CHECK(error_with("/linux/seccomp", {{"defaultAction", "SCMP_ACT_NOTIFY"}, {"listenerPath", "/x"}}) ==
          "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
    CHECK(error_with("/linux/seccomp", {{"defaultAction", "SCMP_ACT_ALLOW"}, {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"}}}) ==
          "config.json: linux.seccomp.architectures[1]: unknown seccomp architecture \"SCMP_ARCH_Z80\"");
    CHECK(error_with("/linux/seccomp", {{"defaultAction", "SCMP_ACT_ALLOW"}, {"flags", {"SECCOMP_FILTER_FLAG_FAST"}}}) ==
          "config.json: linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_FAST\"");
    json call = {{"names", {"mkdir"}}, {"action", "SCMP_ACT_NOTIFY"}};
    CHECK(error_with("/linux/seccomp", {{"defaultAction", "SCMP_ACT_ALLOW"}, {"syscalls", {call}}}) ==
          "config.json: linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs "
          "linux.seccomp.listenerPath");
    call = {{"names", json::array()}, {"action", "SCMP_ACT_ALLOW"}};
    CHECK(error_with("/linux/seccomp", {{"defaultAction", "SCMP_ACT_ALLOW"}, {"syscalls", {call}}}) ==
          "config.json: linux.seccomp.syscalls[0].names: must not be empty");
    call = {{"names", {"a"}}, {"action", "SCMP_ACT_ALLOW"}, {"args", {{{"index", 6}, {"op", "SCMP_CMP_EQ"}}}}};
    CHECK(error_with("/linux/seccomp", {{"defaultAction", "SCMP_ACT_ALLOW"}, {"syscalls", {call}}}) ==
          "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0..5)");
    call = {{"names", {"a"}}, {"action", "SCMP_ACT_ALLOW"}, {"args", {{{"index", 1}, {"op", "SCMP_CMP_ABOUT"}}}}};
    CHECK(error_with("/linux/seccomp", {{"defaultAction", "SCMP_ACT_ALLOW"}, {"syscalls", {call}}}) ==
          "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_ABOUT\"");
}

TEST_CASE("malformed JSON is one clear line") {
    auto r = parse_spec("{\"ociVersion\": \"1.0\",", "bundle/config.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message ==
          "bundle/config.json: invalid JSON at line 1, column 22: expected a member name");
    r = parse_spec("{\n  \"ociVersion\": \"1.0\"\n  \"root\": {}\n}");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "config.json: invalid JSON at line 3, column 3: expected ',' or '}'");
    r = parse_spec("[]");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "config.json: expected an object, got array");
}

TEST_CASE("load_spec reads a file and names it in errors") {
    char dir[] = "/tmp/skiff-oci-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string path = std::string(dir) + "/config.json";
    auto missing = load_spec(path);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "open " + path + ": No such file or directory");
    CHECK(missing.error().code == ENOENT);
    json doc = minimal();
    doc["process"]["user"]["gid"] = "x";
    std::ofstream(path) << doc.dump();
    auto bad = load_spec(path);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == path + ": process.user.gid: expected an unsigned integer, got string");
    std::ofstream(path) << skiff_test::kRichConfig;
    auto good = load_spec(path);
    std::remove(path.c_str());
    rmdir(dir);
    REQUIRE(good.ok());
    skiff_test::check_rich(*good);
}

TEST_CASE("parse_process reads exec's process.json with the same rules") {
    auto r = parse_process(R"({"args": ["ls", "-l"], "cwd": "/tmp", "env": ["A=b"],
                               "user": {"uid": 5}, "terminal": true})");
    REQUIRE(r.ok());
    CHECK(r->args == std::vector<std::string>{"ls", "-l"});
    CHECK(r->cwd == "/tmp");
    CHECK(r->user.uid == 5);
    CHECK(r->terminal);
    auto bad = parse_process(R"({"args": [], "cwd": "/"})");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "process.json: args: must not be empty");
    bad = parse_process(R"({"args": ["x"], "cwd": "/", "rlimits": [{"type": "NOFILE"}]})");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "process.json: rlimits[0].type: unknown rlimit type \"NOFILE\"");
}

TEST_CASE("parse_resources reads update's resources.json with path-naming errors") {
    auto r = parse_resources(R"({"memory": {"limit": 1048576, "swap": -1}, "cpu": {"quota": 20000,
                                 "period": 100000}, "pids": {"limit": 10},
                                 "unified": {"memory.high": "2M"}, "unknown": 1})");
    REQUIRE(r.ok());
    CHECK(r->memory->limit == 1048576);
    CHECK(r->memory->swap == -1);
    CHECK(r->cpu->quota == 20000);
    CHECK(r->pids->limit == 10);
    CHECK(r->unified.at("memory.high") == "2M");
    auto bad = parse_resources(R"({"cpu": {"shares": -2}})", "/tmp/r.json");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "/tmp/r.json: cpu.shares: expected an unsigned integer, got -2");
    bad = parse_resources(R"({"blockIO": {"throttleReadBpsDevice": [{"major": 8, "minor": "0", "rate": 1}]}})");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message ==
          "resources.json: blockIO.throttleReadBpsDevice[0].minor: expected an integer, got string");
}

TEST_CASE("parsing a typical config is fast") {
    // `runc spec` output, the config most bundles start from.
    const char* typical = R"({"ociVersion":"1.0.2-dev","process":{"terminal":true,"user":{"uid":0,"gid":0},
      "args":["sh"],"env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","TERM=xterm"],
      "cwd":"/","capabilities":{"bounding":["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"],
      "effective":["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"],"permitted":["CAP_AUDIT_WRITE",
      "CAP_KILL","CAP_NET_BIND_SERVICE"],"ambient":["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]},
      "rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],"noNewPrivileges":true},
      "root":{"path":"rootfs","readonly":true},"hostname":"runc","mounts":[{"destination":"/proc",
      "type":"proc","source":"proc"},{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":
      ["nosuid","strictatime","mode=755","size=65536k"]},{"destination":"/dev/pts","type":"devpts",
      "source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},
      {"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev",
      "mode=1777","size=65536k"]},{"destination":"/dev/mqueue","type":"mqueue","source":"mqueue",
      "options":["nosuid","noexec","nodev"]},{"destination":"/sys","type":"sysfs","source":"sysfs",
      "options":["nosuid","noexec","nodev","ro"]},{"destination":"/sys/fs/cgroup","type":"cgroup",
      "source":"cgroup","options":["nosuid","noexec","nodev","relatime","ro"]}],"linux":{"resources":
      {"devices":[{"allow":false,"access":"rwm"}]},"namespaces":[{"type":"pid"},{"type":"network"},
      {"type":"ipc"},{"type":"uts"},{"type":"mount"}],"maskedPaths":["/proc/acpi","/proc/asound",
      "/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list","/proc/timer_stats",
      "/proc/sched_debug","/sys/firmware","/proc/scsi"],"readonlyPaths":["/proc/bus","/proc/fs",
      "/proc/irq","/proc/sys","/proc/sysrq-trigger"]}})";
    std::string text = typical;
    REQUIRE(parse_spec(text).ok());
    // Best batch of several: the box is shared, and the minimum is what the code costs.
    double best = 1e9;
    for (int batch = 0; batch < 10; ++batch) {
        constexpr int kRounds = 200;
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < kRounds; ++i)
            if (!parse_spec(text).ok()) FAIL("parse failed");
        auto per = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() -
                                                             start) / kRounds;
        best = std::min(best, per.count());
    }
    WARN("parse_spec of runc's default config.json (" << text.size() << " bytes): " << best
                                                      << " us");
    CHECK(best < 200); // generous for a loaded 2-core box; ~15 us when idle
}
