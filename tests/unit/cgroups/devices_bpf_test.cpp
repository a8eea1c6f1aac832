// The hand-assembled device filter: its shape, and that the kernel verifier accepts it.
#include "helpers.hpp"

#include "cgroups/devices_bpf.hpp"

using namespace skiff::runtime::cgroups;
namespace oci = skiff::oci;

namespace {

oci::DeviceRule rule(bool allow, const char* type, std::optional<int64_t> major,
                     std::optional<int64_t> minor, const char* access) {
    return {allow, type, major, minor, access};
}

} // namespace

TEST_CASE("device program: rules after the last deny-all only, ending in its verdict") {
    std::vector<oci::DeviceRule> rules = {
        rule(true, "c", 9, 9, "rwm"), // dead: a later rule denies everything
        rule(false, "a", std::nullopt, std::nullopt, "rwm"),
        rule(true, "c", 1, 3, "rwm"),
        rule(true, "b", std::nullopt, std::nullopt, "r"),
    };
    auto p = bpf::device_program(rules);
    REQUIRE(p.ok());
    // 6 loads; c 1:3 rwm = type, major, minor, mov, exit (5); b *:* r = type, mov, and, jne,
    // mov, exit (6); default mov + exit (2).
    CHECK(p->size() == 6 + 5 + 6 + 2);
    const auto& last = (*p)[p->size() - 2];
    CHECK(last.code == (BPF_ALU64 | BPF_MOV | BPF_K));
    CHECK(last.imm == 0); // deny by default after "a *:* rwm" deny
    CHECK(p->back().code == (BPF_JMP | BPF_EXIT));
    // No deny-all anywhere: whatever no rule matches stays allowed.
    auto open_p = bpf::device_program({rule(false, "c", 1, 5, "w")});
    REQUIRE(open_p.ok());
    CHECK((*open_p)[open_p->size() - 2].imm == 1);
}

TEST_CASE("device program: bad rules are errors naming the field") {
    auto t = bpf::device_program({rule(true, "x", 1, 1, "r")});
    REQUIRE_FALSE(t.ok());
    CHECK_THAT(t.error().message, Catch::Contains("linux.resources.devices[0].type"));
    auto a = bpf::device_program({rule(true, "c", 1, 1, "rwm"), rule(true, "c", 1, 1, "rx")});
    REQUIRE_FALSE(a.ok());
    CHECK_THAT(a.error().message, Catch::Contains("linux.resources.devices[1].access"));
}

TEST_CASE("device program: the kernel verifier accepts it (BPF_PROG_LOAD)") {
    CG_NEED_ROOT();
    std::vector<oci::DeviceRule> rules = {
        rule(false, "a", std::nullopt, std::nullopt, "rwm"),
        rule(true, "c", 1, 3, "rwm"),
        rule(true, "c", 136, std::nullopt, "rw"),
        rule(false, "c", 1, 3, "w"),
        rule(true, "a", 4000000000LL, 1, "m"), // major above INT32_MAX: compared as u32
    };
    auto p = bpf::device_program(rules);
    REQUIRE(p.ok());
    auto fd = bpf::load_device_program(*p);
    if (!fd.ok()) FAIL("BPF_PROG_LOAD refused the program: " << fd.error().message);
    CHECK(*fd >= 0);
    ::close(*fd);
}
