#include <sys/prctl.h>

#include <algorithm>

#include "child.hpp"
#include "security/security.hpp"

namespace sec = skiff::runtime::security;
using skiff::oci::Capabilities;
using namespace skiff::test;

namespace {

std::string cap_lines() {
    return "eff=" + status_field("CapEff") + "\nprm=" + status_field("CapPrm") +
           "\ninh=" + status_field("CapInh") + "\nbnd=" + status_field("CapBnd") +
           "\namb=" + status_field("CapAmb") + "\n";
}

std::string hex(uint64_t bits) {
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(bits));
    return buf;
}

constexpr uint64_t bit(int cap) { return 1ull << cap; }
constexpr int kChown = 0, kKill = 5, kNetBindService = 10;

} // namespace

TEST_CASE("known_capabilities lists every capability of the running kernel by name", "[caps]") {
    auto names = sec::known_capabilities();
    int last = std::stoi(read_file("/proc/sys/kernel/cap_last_cap"));
    CHECK(names.size() == static_cast<size_t>(last + 1));
    CHECK(names.front() == "CAP_CHOWN");
    CHECK(std::find(names.begin(), names.end(), "CAP_SYS_ADMIN") != names.end());
    CHECK(std::find(names.begin(), names.end(), "CAP_NET_BIND_SERVICE") != names.end());
}

TEST_CASE("unknown_capabilities reports made-up names, sorted and once", "[caps]") {
    Capabilities caps;
    caps.bounding = {"CAP_KILL", "UNKNOWN_CAP", "CAP_NOT_A_THING"};
    caps.effective = {"UNKNOWN_CAP", "CAP_CHOWN"};
    auto unknown = sec::unknown_capabilities(caps);
    CHECK(unknown == std::vector<std::string>{"CAP_NOT_A_THING", "UNKNOWN_CAP"});
}

TEST_CASE("bounding, effective, permitted, inheritable and ambient are set exactly", "[caps]") {
    SKIFF_NEED_ROOT();
    auto e = run_in_child([](int out) {
        Capabilities caps;
        // Unknown names are skipped like runc 1.1 does, not an error.
        caps.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "UNKNOWN_CAP"};
        caps.permitted = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
        caps.effective = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
        caps.inheritable = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE"};
        // CAP_KILL is not inheritable: the kernel cannot make it ambient, so it is skipped.
        caps.ambient = {"CAP_NET_BIND_SERVICE", "CAP_KILL"};
        if (auto r = sec::drop_bounding(caps); !r) say(out, "error=" + r.error().message + "\n");
        skiff::oci::User user;
        user.uid = 1000;
        user.gid = 1000;
        if (auto r = sec::switch_user(user); !r) say(out, "error=" + r.error().message + "\n");
        if (auto r = sec::apply_capabilities(caps); !r) say(out, "error=" + r.error().message + "\n");
        say(out, cap_lines());
        return 0;
    });
    INFO(e.out);
    REQUIRE(e.code == 0);
    CHECK(e.out.find("error=") == std::string::npos);
    CHECK(field(e.out, "bnd") == hex(bit(kChown) | bit(kKill) | bit(kNetBindService)));
    CHECK(field(e.out, "prm") == hex(bit(kChown) | bit(kKill) | bit(kNetBindService)));
    CHECK(field(e.out, "eff") == hex(bit(kKill) | bit(kNetBindService)));
    CHECK(field(e.out, "inh") == hex(bit(kChown) | bit(kNetBindService)));
    CHECK(field(e.out, "amb") == hex(bit(kNetBindService)));
}

TEST_CASE("absent capability sets mean empty sets, as with runc", "[caps]") {
    SKIFF_NEED_ROOT();
    auto e = run_in_child([](int out) {
        Capabilities none;
        if (auto r = sec::drop_bounding(none); !r) say(out, "error=" + r.error().message + "\n");
        if (auto r = sec::apply_capabilities(none); !r) say(out, "error=" + r.error().message + "\n");
        say(out, cap_lines());
        return 0;
    });
    INFO(e.out);
    REQUIRE(e.code == 0);
    for (auto set : {"eff", "prm", "inh", "bnd", "amb"}) CHECK(field(e.out, set) == hex(0));
}

TEST_CASE("an ambient capability stays across execve for a non-root user", "[caps]") {
    SKIFF_NEED_ROOT();
    // What a user sees: the program they exec as uid 1000 still holds CAP_NET_BIND_SERVICE.
    auto e = run_in_child([](int out) {
        Capabilities caps;
        caps.bounding = caps.permitted = caps.effective = caps.inheritable = caps.ambient =
            std::vector<std::string>{"CAP_NET_BIND_SERVICE"};
        skiff::oci::User user;
        user.uid = user.gid = 1000;
        if (!sec::drop_bounding(caps) || !sec::switch_user(user) || !sec::apply_capabilities(caps))
            return 3;
        dup2(out, 1);
        execl("/bin/grep", "grep", "^CapEff", "/proc/self/status", nullptr);
        return 4;
    });
    INFO(e.out);
    REQUIRE(e.code == 0);
    CHECK(e.out == "CapEff:\t" + hex(bit(kNetBindService)) + "\n");
}

TEST_CASE("an effective capability outside permitted is a clear capset error", "[caps]") {
    SKIFF_NEED_ROOT();
    auto e = run_in_child([](int out) {
        Capabilities caps;
        caps.permitted = {"CAP_KILL"};
        caps.effective = {"CAP_KILL", "CAP_SYS_ADMIN"};
        auto r = sec::apply_capabilities(caps);
        say(out, "error=" + (r ? std::string("none") : r.error().message) + "\n");
        return 0;
    });
    INFO(e.out);
    CHECK(field(e.out, "error").rfind("capset (effective 2, permitted 1, inheritable 0 "
                                      "capabilities): Operation not permitted",
                                      0) == 0);
}

TEST_CASE("drop_bounding without CAP_SETPCAP: fine when nothing is left to drop, else an error "
          "naming the capability",
          "[caps]") {
    SKIFF_NEED_ROOT();
    auto e = run_in_child([](int out) {
        Capabilities kill_only;
        kill_only.bounding = {"CAP_KILL"};
        if (!sec::drop_bounding(kill_only) || !sec::apply_capabilities({})) return 3;
        auto again = sec::drop_bounding(kill_only);
        say(out, "again=" + (again ? std::string("none") : again.error().message) + "\n");
        return 0;
    });
    INFO(e.out);
    CHECK(field(e.out, "again") == "none");

    e = run_in_child([](int out) {
        if (!sec::apply_capabilities({})) return 3;
        Capabilities kill_only;
        kill_only.bounding = {"CAP_KILL"};
        auto r = sec::drop_bounding(kill_only);
        say(out, "error=" + (r ? std::string("none") : r.error().message) + "\n");
        return 0;
    });
    INFO(e.out);
    CHECK(field(e.out, "error") == "prctl(PR_CAPBSET_DROP, CAP_CHOWN): Operation not permitted");
}
