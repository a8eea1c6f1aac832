// Configs written by the tools that drive skiff, parsed as they come.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

#include "podman_config.hpp"
#include "skiff/oci/spec.hpp"

using namespace skiff::oci;

TEST_CASE("podman's config.json parses with its seccomp profile, resources and mounts") {
    auto r = parse_spec(skiff_test::kPodmanConfig);
    INFO((r.ok() ? "" : r.error().message));
    REQUIRE(r.ok());
    const Spec& s = *r;
    CHECK(s.oci_version == "1.0.2-dev");
    CHECK(s.process->args == std::vector<std::string>{"/bin/sh", "-c", "echo hi"});
    CHECK(s.process->user.umask == 18u);
    CHECK(s.process->env.front() == "FOO=bar");
    CHECK(s.process->capabilities->bounding->size() == 12);
    CHECK_FALSE(s.process->capabilities->ambient);
    REQUIRE(s.process->rlimits.size() == 2);
    CHECK(s.process->rlimits[0].soft == 2048);
    CHECK(s.process->rlimits[0].hard == 4096);
    CHECK(s.root.path.ends_with("/merged"));
    REQUIRE(s.mounts.size() == 11);
    CHECK(s.mounts[5].destination == "/dev/shm");
    CHECK(s.mounts[5].type == "bind");
    CHECK(s.annotations.at("io.container.manager") == "libpod");
    const Linux& l = *s.linux_;
    CHECK(l.sysctl.at("net.ipv4.ip_forward") == "1");
    CHECK(l.resources->memory->limit == 67108864);
    CHECK(l.resources->memory->swap == 134217728);
    CHECK(l.resources->pids->limit == 50);
    CHECK(l.cgroups_path->starts_with("/libpod_parent/libpod-"));
    CHECK(l.find_namespace("network")->path.starts_with("/run/netns/"));
    const Seccomp& sc = *l.seccomp;
    CHECK(sc.default_action == "SCMP_ACT_ERRNO");
    CHECK(sc.default_errno_ret == 38u);
    size_t names = 0;
    for (const auto& c : sc.syscalls) names += c.names.size();
    CHECK(names == 437);
    CHECK(sc.syscalls[6].args[0].value == 4294967295u);
    CHECK(sc.syscalls.back().args[0].op == "SCMP_CMP_NE");
    CHECK(l.masked_paths.size() == 11);

    // Round trip keeps it whole.
    auto again = parse_spec(dump_spec(s));
    REQUIRE(again.ok());
    CHECK(dump_spec(*again) == dump_spec(s));
}

TEST_CASE("parsing podman's 11 KB config is fast") {
    std::string text = skiff_test::kPodmanConfig;
    double best = 1e9;
    for (int batch = 0; batch < 10; ++batch) {
        constexpr int kRounds = 100;
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < kRounds; ++i)
            if (!parse_spec(text).ok()) FAIL("parse failed");
        auto per = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() -
                                                             start) / kRounds;
        best = std::min(best, per.count());
    }
    WARN("parse_spec of podman's config.json (" << text.size() << " bytes): " << best << " us");
    CHECK(best < 500); // generous for a loaded 2-core box; ~40 us when idle
}
