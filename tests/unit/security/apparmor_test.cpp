#include <unistd.h>

#include <catch2/catch.hpp>

#include "security/security.hpp"

using namespace skiff::runtime;

TEST_CASE("apparmor: an empty profile is a no-op, a profile without AppArmor names itself") {
    CHECK(security::set_apparmor_profile("").ok());
    if (::access("/sys/module/apparmor/parameters/enabled", F_OK) == 0) {
        WARN("skipped the disabled-AppArmor case: AppArmor is enabled on this host");
        return;
    }
    auto r = security::set_apparmor_profile("skiff-test-profile");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message ==
          "apparmor profile \"skiff-test-profile\" set but AppArmor is not enabled");
}
