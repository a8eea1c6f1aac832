#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

#include "rich_config.hpp"
#include "skiff/oci/spec.hpp"
#include "skiff/oci/state.hpp"

using namespace skiff::oci;

TEST_CASE("dump_spec round-trips every field") {
    auto first = parse_spec(skiff_test::kRichConfig);
    REQUIRE(first.ok());
    std::string dumped = dump_spec(*first);
    auto second = parse_spec(dumped);
    INFO(dumped);
    REQUIRE(second.ok());
    skiff_test::check_rich(*second);
    CHECK(dump_spec(*second) == dumped);
    CHECK(dumped.find("unknownTopLevel") == std::string::npos);
}

TEST_CASE("dump_spec writes the spec's JSON names and omits what is unset") {
    auto s = parse_spec(skiff_test::kRichConfig);
    REQUIRE(s.ok());
    auto j = nlohmann::json::parse(dump_spec(*s, -1));
    CHECK(j["linux"]["rootfsPropagation"] == "rslave");
    CHECK(j["linux"]["resources"]["blockIO"]["throttleReadIOPSDevice"][0]["rate"] == 100);
    CHECK(j["linux"]["resources"]["hugepageLimits"][0]["pageSize"] == "2MB");
    CHECK(j["linux"]["resources"]["cpu"]["idle"] == 1); // an integer, as the spec types it
    CHECK(j["linux"]["seccomp"]["syscalls"][1]["args"][1]["valueTwo"] == 16);
    CHECK(j["linux"]["seccomp"]["syscalls"][3]["errnoRet"] == 1);
    CHECK(j["process"]["ioPriority"]["class"] == "IOPRIO_CLASS_BE");
    CHECK(j["hooks"]["createRuntime"][0]["path"] == "/usr/bin/create-runtime");
    CHECK_FALSE(j["hooks"]["createRuntime"][0].contains("timeout"));
    CHECK(j["process"]["capabilities"]["inheritable"] == nlohmann::json::array());

    Spec minimal = default_spec();
    auto m = nlohmann::json::parse(dump_spec(minimal));
    CHECK_FALSE(m.contains("hooks"));
    CHECK_FALSE(m.contains("annotations"));
    CHECK_FALSE(m["process"].contains("oomScoreAdj"));
    CHECK_FALSE(m["process"]["capabilities"].contains("inheritable"));
    CHECK(m["process"]["user"] == nlohmann::json({{"uid", 0}, {"gid", 0}}));
}

namespace {

// Runs `runc spec [--rootless]` in a fresh directory and parses what it wrote.
std::optional<Spec> runc_spec(bool rootless) {
    char dir[] = "/tmp/skiff-runc-spec-XXXXXX";
    if (!mkdtemp(dir)) return std::nullopt;
    std::string cmd = std::string("cd ") + dir + " && runc spec" + (rootless ? " --rootless" : "") +
                      " >/dev/null 2>&1";
    int rc = std::system(cmd.c_str());
    std::string path = std::string(dir) + "/config.json";
    std::optional<Spec> out;
    if (rc == 0) {
        auto r = load_spec(path);
        INFO((r.ok() ? "" : r.error().message));
        REQUIRE(r.ok());
        out = std::move(*r);
    }
    std::remove(path.c_str());
    rmdir(dir);
    return out;
}

} // namespace

TEST_CASE("default_spec matches `runc spec`") {
    if (std::system("command -v runc >/dev/null 2>&1") != 0) {
        WARN("skipped: runc is not installed");
        return;
    }
    for (bool rootless : {false, true}) {
        INFO("rootless: " << rootless);
        auto theirs = runc_spec(rootless);
        REQUIRE(theirs);
        Spec ours = default_spec(rootless);
        CHECK(parse_spec(dump_spec(ours)).ok()); // our default passes our own checks
        // Versions and hostnames name the runtime; everything else must be the same container.
        CHECK(ours.hostname == "skiff");
        CHECK(ours.oci_version == std::string(kSpecVersion));
        theirs->oci_version = ours.oci_version;
        theirs->hostname = ours.hostname;
        CHECK(dump_spec(ours) == dump_spec(*theirs));
        if (rootless) {
            REQUIRE(ours.linux_->uid_mappings.size() == 1);
            CHECK(ours.linux_->uid_mappings[0].host_id == geteuid());
            CHECK_FALSE(ours.linux_->has_namespace("network"));
            CHECK(ours.linux_->has_namespace("user"));
        }
    }
}
