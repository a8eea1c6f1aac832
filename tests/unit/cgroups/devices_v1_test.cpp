// The cgroup v1 devices controller driven like runc's emulator: rules describe the whole
// target (deny by default), and update moves a live cgroup there from what devices.list says,
// so an allow dropped from the rules is denied again, on a real v1 devices hierarchy.
#include "helpers.hpp"

#include <cerrno>

#include <nlohmann/json.hpp>

#include "cgroups/internal.hpp"

using namespace skiff::runtime::cgroups;
namespace oci = skiff::oci;
using cgtest::Child;

namespace {

#define CG_NEED_V1_DEVICES()                                                                       \
    do {                                                                                           \
        CG_NEED_ROOT();                                                                            \
        if (!cgtest::exists("/sys/fs/cgroup/devices/devices.list")) {                              \
            WARN("skipped: no cgroup v1 devices hierarchy on this host");                          \
            return;                                                                                \
        }                                                                                          \
    } while (0)

oci::DeviceRule rule(bool allow, const char* type, std::optional<int64_t> major,
                     std::optional<int64_t> minor, const char* access) {
    oci::DeviceRule r;
    r.allow = allow;
    r.type = type;
    r.major = major;
    r.minor = minor;
    r.access = access;
    return r;
}

const oci::DeviceRule kDenyAll = rule(false, "a", std::nullopt, std::nullopt, "rwm");

cgtest::Guard make(const oci::Resources& r) {
    Options o;
    o.container_id = cgtest::unique_name("devices");
    return cgtest::make(o, &r);
}

std::string devices_dir(const Cgroup& cg) {
    return nlohmann::json::parse(cg.save())["v1"]["devices"].get<std::string>();
}

// 0 when /dev/null and /dev/zero open for reading as `want_null`/`want_zero` say, from a
// process in the cgroup.
int probe(Cgroup& cg, bool want_null, bool want_zero) {
    Child c([want_null, want_zero] {
        int null_fd = ::open("/dev/null", O_RDONLY);
        int zero_fd = ::open("/dev/zero", O_RDONLY);
        if ((null_fd >= 0) != want_null) return 1;
        if ((zero_fd >= 0) != want_zero) return 2;
        if (zero_fd < 0 && errno != EPERM) return 3;
        return 0;
    });
    REQUIRE(cg.enter(c.pid).ok());
    c.go();
    REQUIRE(c.wait());
    return c.exit_code();
}

} // namespace

TEST_CASE("v1 devices: update drops an allow that left the rules") {
    CG_NEED_V1_DEVICES();
    oci::Resources r;
    r.devices = {kDenyAll, rule(true, "c", 1, 3, "rwm"), rule(true, "c", 1, 5, "rwm")};
    auto g = make(r);
    const std::string list = devices_dir(*g.cg) + "/devices.list";
    CHECK(cgtest::slurp(list) == "c 1:3 rwm\nc 1:5 rwm");
    CHECK(probe(*g.cg, true, true) == 0);

    // /dev/zero (1:5) is no longer listed: the live cgroup must deny it again. The rules do not
    // start with "deny all"; they still describe the whole target, as in runc.
    oci::Resources u;
    u.devices = {rule(true, "c", 1, 3, "rwm")};
    REQUIRE(g->update(u).ok());
    CHECK(cgtest::slurp(list) == "c 1:3 rwm");
    CHECK(probe(*g.cg, true, false) == 0);

    // Narrowing access of a kept rule removes just those bits; widening adds them back.
    u.devices = {rule(true, "c", 1, 3, "r"), rule(true, "c", 1, 5, "rw")};
    REQUIRE(g->update(u).ok());
    CHECK(cgtest::slurp(list) == "c 1:3 r\nc 1:5 rw");
    CHECK(probe(*g.cg, true, true) == 0);
}

TEST_CASE("v1 devices: allow-all and back to a list") {
    CG_NEED_V1_DEVICES();
    oci::Resources r;
    r.devices = {kDenyAll, rule(true, "c", 1, 3, "rwm")};
    auto g = make(r);
    const std::string list = devices_dir(*g.cg) + "/devices.list";

    oci::Resources all;
    all.devices = {rule(true, "a", std::nullopt, std::nullopt, "rwm")};
    REQUIRE(g->update(all).ok());
    CHECK(cgtest::slurp(list) == "a *:* rwm");
    CHECK(probe(*g.cg, true, true) == 0);

    // Allow-all with one exception denied (a blacklist).
    all.devices.push_back(rule(false, "c", 1, 5, "rwm"));
    REQUIRE(g->update(all).ok());
    CHECK(probe(*g.cg, true, false) == 0);

    oci::Resources back;
    back.devices = {kDenyAll, rule(true, "c", 1, 3, "rwm"), rule(true, "c", 1, 5, "r")};
    REQUIRE(g->update(back).ok());
    CHECK(cgtest::slurp(list) == "c 1:3 rwm\nc 1:5 r");
    CHECK(probe(*g.cg, true, true) == 0);
}

TEST_CASE("v1 devices: the target is computed before anything is written") {
    CG_NEED_V1_DEVICES();
    oci::Resources r;
    r.devices = {kDenyAll, rule(true, "c", 1, 3, "rwm"), rule(true, "c", 1, 5, "rwm")};
    auto g = make(r);
    const std::string list = devices_dir(*g.cg) + "/devices.list";
    oci::Resources bad;
    bad.devices = {rule(true, "c", 1, 3, "rwm"), rule(true, "x", 1, 5, "rwm")};
    auto u = g->update(bad);
    REQUIRE_FALSE(u.ok());
    CHECK_THAT(u.error().message, Catch::Contains("linux.resources.devices[1].type"));
    CHECK(cgtest::slurp(list) == "c 1:3 rwm\nc 1:5 rwm");
}

TEST_CASE("v1 devices: a rule denied later in the list wins, as the kernel plays them") {
    CG_NEED_V1_DEVICES();
    oci::Resources r;
    r.devices = {kDenyAll, rule(true, "c", 1, 3, "rwm"), rule(true, "c", 1, 5, "rwm"),
                 rule(false, "c", 1, 5, "w"), rule(true, "c", std::nullopt, std::nullopt, "m")};
    auto g = make(r);
    const std::string list = devices_dir(*g.cg) + "/devices.list";
    CHECK(cgtest::slurp(list) == "c *:* m\nc 1:3 rwm\nc 1:5 rm");
}
