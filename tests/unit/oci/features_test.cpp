#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "skiff/oci/features.hpp"
#include "skiff/oci/isolation.hpp"

using namespace skiff::oci;
using nlohmann::json;

TEST_CASE("the features document is valid JSON with the spec's keys") {
    Features f = parser_features();
    f.mount_options = {"ro", "rbind"};
    f.linux_.capabilities = {"CAP_CHOWN", "CAP_KILL"};
    f.linux_.cgroup.v2 = true;
    f.linux_.cgroup.v1 = true;
    f.linux_.seccomp.enabled = true;
    f.linux_.seccomp.supported_flags = {"SECCOMP_FILTER_FLAG_LOG"};
    f.linux_.apparmor = true;
    f.annotations = {{"run.skiff.isolation", "container,vm"}};
    auto j = json::parse(features_json(f));
    CHECK(j["ociVersionMin"] == "1.0.0");
    CHECK(j["ociVersionMax"] == kSpecVersion);
    CHECK(j["hooks"] == json({"prestart", "createRuntime", "createContainer", "startContainer",
                              "poststart", "poststop"}));
    CHECK(j["mountOptions"] == json({"ro", "rbind"}));
    const auto& l = j["linux"];
    CHECK(l["namespaces"] ==
          json({"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"}));
    CHECK(l["capabilities"] == json({"CAP_CHOWN", "CAP_KILL"}));
    CHECK(l["cgroup"] == json({{"v1", true}, {"v2", true}, {"systemd", false},
                               {"systemdUser", false}, {"rdma", false}}));
    CHECK(l["seccomp"]["enabled"] == true);
    CHECK(l["seccomp"]["actions"].size() == 9);
    CHECK(l["seccomp"]["operators"].size() == 7);
    CHECK(l["seccomp"]["archs"].size() > 20);
    CHECK(l["seccomp"]["knownFlags"].size() == 4);
    CHECK(l["seccomp"]["supportedFlags"] == json({"SECCOMP_FILTER_FLAG_LOG"}));
    CHECK(l["apparmor"]["enabled"] == true);
    CHECK(l["selinux"]["enabled"] == false);
    CHECK(l["intelRdt"]["enabled"] == false);
    CHECK(l["mountExtensions"]["idmap"]["enabled"] == false);
    CHECK(j["annotations"]["run.skiff.isolation"] == "container,vm");
    CHECK(j["potentiallyUnsafeConfigAnnotations"] == json({"run.skiff.isolation"}));
}

TEST_CASE("seccomp details are left out when seccomp is disabled") {
    Features f = parser_features();
    auto j = json::parse(features_json(f, -1));
    CHECK(j["linux"]["seccomp"] == json({{"enabled", false}}));
}

TEST_CASE("the isolation annotation selects the mode") {
    Spec s = default_spec();
    CHECK(*isolation_of(s) == Isolation::Container);
    CHECK(*isolation_of(s, Isolation::Vm) == Isolation::Vm);
    s.annotations[kIsolationAnnotation] = "vm";
    CHECK(*isolation_of(s) == Isolation::Vm);
    s.annotations[kIsolationAnnotation] = "container";
    CHECK(*isolation_of(s, Isolation::Vm) == Isolation::Container);
    s.annotations[kIsolationAnnotation] = "kvm";
    auto bad = isolation_of(s);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "annotations[\"run.skiff.isolation\"]: unknown isolation mode "
                                 "\"kvm\" (expected container or vm)");
    CHECK(std::string(to_string(Isolation::Vm)) == "vm");
    CHECK(std::string(to_string(Isolation::Container)) == "container");
}

TEST_CASE("parse_spec refuses an unknown isolation mode, naming the annotation") {
    Spec s = default_spec();
    s.annotations[kIsolationAnnotation] = "VM";
    auto r = parse_spec(dump_spec(s));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "config.json: annotations[\"run.skiff.isolation\"]: unknown "
                               "isolation mode \"VM\" (expected container or vm)");
    s.annotations[kIsolationAnnotation] = "vm";
    CHECK(parse_spec(dump_spec(s)).ok());
}
