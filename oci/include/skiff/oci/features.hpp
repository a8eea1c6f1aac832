// The OCI features document (`skiff-runtime features`, runtime-spec features.md). oci/ knows
// which config values it parses; what the host and runtime can actually do (capabilities, cgroup
// drivers, LSMs, mount options) the runtime fills in before printing.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "skiff/oci/state.hpp"

namespace skiff::oci {

struct Features {
    std::string oci_version_min = "1.0.0";
    std::string oci_version_max = kSpecVersion;
    std::vector<std::string> hooks;
    std::vector<std::string> mount_options; // e.g. "ro", "rbind", "idmap", "rro"

    struct Cgroup {
        bool v1 = false, v2 = false, systemd = false, systemd_user = false, rdma = false;
    };
    struct Seccomp {
        bool enabled = false;
        std::vector<std::string> actions, operators, archs;
        std::vector<std::string> known_flags, supported_flags;
    };
    struct Linux {
        std::vector<std::string> namespaces;
        std::vector<std::string> capabilities;
        Cgroup cgroup;
        Seccomp seccomp;
        bool apparmor = false, selinux = false, intel_rdt = false, mount_idmap = false;
    } linux_;

    // Runtime facts as strings, e.g. {"run.skiff.isolation", "container,vm"}.
    std::map<std::string, std::string> annotations;
    // Annotations whose presence changes isolation and that a higher layer should not let an
    // unprivileged user set (features.md "potentiallyUnsafeConfigAnnotations").
    std::vector<std::string> potentially_unsafe_config_annotations;
};

// What the parser accepts: hooks, namespace types, seccomp actions/operators/archs/known flags,
// with seccomp.enabled left false for the runtime to set. Everything else is empty.
Features parser_features();

std::string features_json(const Features& features, int indent = 4);

} // namespace skiff::oci
