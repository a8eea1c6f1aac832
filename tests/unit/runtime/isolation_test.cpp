#include <catch2/catch.hpp>

#include "lifecycle/handler.hpp"
#include "skiff/runtime/runtime.hpp"

using namespace skiff;
using namespace skiff::runtime;

TEST_CASE("the isolation annotation selects the handler") {
    oci::Spec spec;
    CHECK(*isolation_of(spec) == Isolation::Container);
    spec.annotations["run.skiff.isolation"] = "container";
    CHECK(*isolation_of(spec) == Isolation::Container);
    spec.annotations["run.skiff.isolation"] = "vm";
    CHECK(*isolation_of(spec) == Isolation::Vm);
    spec.annotations["run.skiff.isolation"] = "kata";
    auto r = isolation_of(spec);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("run.skiff.isolation") != std::string::npos);
    CHECK(r.error().message.find("kata") != std::string::npos);
}

TEST_CASE("vm mode is a clear error until the VMM handler exists") {
    auto h = make_handler(Isolation::Vm);
    REQUIRE(h.ok());
    auto r = (*h)->check(oci::Spec{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("vm mode: not available") != std::string::npos);
}

TEST_CASE("executables are found along the process's PATH") {
    auto sh = find_executable("sh", {"PATH=/nonexistent:/bin"});
    REQUIRE(sh.ok());
    CHECK(*sh == "/bin/sh");
    auto missing = find_executable("no-such-program-skiff", {"PATH=/bin"});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message ==
          "exec: \"no-such-program-skiff\": executable file not found in $PATH");
    auto abs = find_executable("/nonexist", {});
    REQUIRE_FALSE(abs.ok());
    CHECK(abs.error().message.find("stat /nonexist") != std::string::npos);
}
