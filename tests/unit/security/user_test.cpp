#include <grp.h>
#include <sys/stat.h>

#include "child.hpp"
#include "security/security.hpp"

namespace sec = skiff::runtime::security;
using namespace skiff::test;

namespace {

std::string ids() {
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    getresuid(&ru, &eu, &su);
    getresgid(&rg, &eg, &sg);
    gid_t groups[64];
    int n = getgroups(64, groups);
    std::string g;
    for (int i = 0; i < n; ++i) g += (i ? "," : "") + std::to_string(groups[i]);
    mode_t mask = umask(0);
    umask(mask);
    char m[8];
    snprintf(m, sizeof m, "%04o", mask);
    return "uid=" + std::to_string(ru) + "," + std::to_string(eu) + "," + std::to_string(su) +
           "\ngid=" + std::to_string(rg) + "," + std::to_string(eg) + "," + std::to_string(sg) +
           "\ngroups=" + g + "\numask=" + m + "\n";
}

} // namespace

TEST_CASE("switch_user sets uid, gid, supplementary groups and umask", "[user]") {
    SKIFF_NEED_ROOT();
    auto e = run_in_child([](int out) {
        skiff::oci::User u;
        u.uid = 1000;
        u.gid = 1001;
        u.umask = 027;
        u.additional_gids = {2000, 2001};
        if (auto r = sec::switch_user(u); !r) say(out, "error=" + r.error().message + "\n");
        say(out, ids() + "prm=" + status_field("CapPrm") + "\neff=" + status_field("CapEff") + "\n");
        return 0;
    });
    INFO(e.out);
    REQUIRE(e.code == 0);
    CHECK(field(e.out, "uid") == "1000,1000,1000");
    CHECK(field(e.out, "gid") == "1001,1001,1001");
    CHECK(field(e.out, "groups") == "2000,2001");
    CHECK(field(e.out, "umask") == "0027");
    // Permitted capabilities survive the uid change (for apply_capabilities); the kernel
    // clears the effective set.
    CHECK(field(e.out, "prm") != "0000000000000000");
    CHECK(field(e.out, "eff") == "0000000000000000");
}

TEST_CASE("switch_user without additionalGids clears root's supplementary groups", "[user]") {
    SKIFF_NEED_ROOT();
    const std::string inherited_umask = field(ids(), "umask");
    auto e = run_in_child([](int out) {
        gid_t extra[] = {4, 27};
        setgroups(2, extra); // what the runtime might carry in
        skiff::oci::User u; // uid 0, gid 0
        if (auto r = sec::switch_user(u); !r) say(out, "error=" + r.error().message + "\n");
        say(out, ids());
        return 0;
    });
    INFO(e.out);
    CHECK(field(e.out, "groups") == "");
    CHECK(field(e.out, "umask") == inherited_umask); // no umask in the spec: left alone
}

TEST_CASE("switch_user leaves groups alone when setgroups is denied", "[user]") {
    SKIFF_NEED_ROOT();
    auto e = run_in_child([](int out) {
        gid_t extra[] = {4};
        setgroups(1, extra);
        skiff::oci::User u;
        u.uid = 1000;
        u.gid = 1000;
        u.additional_gids = {2000};
        if (auto r = sec::switch_user(u, false); !r) say(out, "error=" + r.error().message + "\n");
        say(out, ids());
        return 0;
    });
    INFO(e.out);
    CHECK(field(e.out, "uid") == "1000,1000,1000");
    CHECK(field(e.out, "groups") == "4");
}

TEST_CASE("switch_user errors name the field and syscall", "[user]") {
    skiff::oci::User u;
    u.umask = 010000;
    auto r = sec::switch_user(u);
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "process.user.umask: 4096 is not a file mode (0-07777)");

    SKIFF_NEED_ROOT();
    auto e = run_in_child([](int out) {
        if (!sec::apply_capabilities({})) return 3; // no CAP_SETUID/CAP_SETGID any more
        skiff::oci::User v;
        v.uid = 1000;
        v.gid = 1000;
        auto res = sec::switch_user(v, false);
        say(out, "error=" + (res ? std::string("none") : res.error().message) + "\n");
        return 0;
    });
    CHECK(field(e.out, "error") == "setresgid 1000 (process.user.gid): Operation not permitted");
}
