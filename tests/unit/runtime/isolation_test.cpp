#include <unistd.h>

#include <cstdlib>

#include <catch2/catch.hpp>

#include "lifecycle/handler.hpp"
#include "skiff/runtime/runtime.hpp"

using namespace skiff;
using namespace skiff::runtime;

TEST_CASE("the isolation annotation selects the handler") {
    oci::Spec spec;
    CHECK(*oci::isolation_of(spec) == Isolation::Container);
    spec.annotations["run.skiff.isolation"] = "container";
    CHECK(*oci::isolation_of(spec) == Isolation::Container);
    spec.annotations["run.skiff.isolation"] = "vm";
    CHECK(*oci::isolation_of(spec) == Isolation::Vm);
    spec.annotations["run.skiff.isolation"] = "kata";
    auto r = oci::isolation_of(spec);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("run.skiff.isolation") != std::string::npos);
    CHECK(r.error().message.find("kata") != std::string::npos);
}

TEST_CASE("vm mode needs /dev/kvm and finds skiff-vmm") {
    auto h = make_handler(Isolation::Vm);
    REQUIRE(h.ok());
    CHECK(std::string((*h)->name()) == "vm");
    auto r = (*h)->check(oci::Spec{});
    if (::access("/dev/kvm", R_OK | W_OK) != 0) {
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.find("/dev/kvm") != std::string::npos);
        return;
    }
    // The build tree has skiff-vmm at ../unikernel/ from this test binary.
    INFO((r.ok() ? std::string() : r.error().message));
    CHECK(r.ok());
    ::setenv("SKIFF_VMM", "/nonexistent/skiff-vmm", 1);
    auto h2 = make_handler(Isolation::Vm);
    auto r2 = (*h2)->check(oci::Spec{});
    ::unsetenv("SKIFF_VMM");
    CHECK(r2.ok()); // an unusable SKIFF_VMM falls through to the next candidate
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
