// The OCI features document.
#include <nlohmann/json.hpp>

#include "known_values.hpp"
#include "skiff/oci/features.hpp"
#include "skiff/oci/isolation.hpp"

namespace skiff::oci {

namespace {
template <size_t N>
std::vector<std::string> strings(const std::string_view (&values)[N]) {
    return {std::begin(values), std::end(values)};
}
} // namespace

Features parser_features() {
    Features f;
    f.hooks = strings(detail::kHookNames);
    f.linux_.namespaces = strings(detail::kNamespaceTypes);
    f.linux_.seccomp.actions = strings(detail::kSeccompActions);
    f.linux_.seccomp.operators = strings(detail::kSeccompOperators);
    f.linux_.seccomp.archs = strings(detail::kSeccompArchs);
    f.linux_.seccomp.known_flags = strings(detail::kSeccompFlags);
    // Setting it to "container" lifts the VM boundary a host default of vm would give.
    f.potentially_unsafe_config_annotations = {kIsolationAnnotation};
    return f;
}

std::string features_json(const Features& f, int indent) {
    using oj = nlohmann::ordered_json;
    const auto& l = f.linux_;
    oj seccomp = {{"enabled", l.seccomp.enabled}};
    if (l.seccomp.enabled) {
        seccomp["actions"] = l.seccomp.actions;
        seccomp["operators"] = l.seccomp.operators;
        seccomp["archs"] = l.seccomp.archs;
        seccomp["knownFlags"] = l.seccomp.known_flags;
        seccomp["supportedFlags"] = l.seccomp.supported_flags;
    }
    oj linux_section = {
        {"namespaces", l.namespaces},
        {"capabilities", l.capabilities},
        {"cgroup",
         {{"v1", l.cgroup.v1},
          {"v2", l.cgroup.v2},
          {"systemd", l.cgroup.systemd},
          {"systemdUser", l.cgroup.systemd_user},
          {"rdma", l.cgroup.rdma}}},
        {"seccomp", std::move(seccomp)},
        {"apparmor", {{"enabled", l.apparmor}}},
        {"selinux", {{"enabled", l.selinux}}},
        {"intelRdt", {{"enabled", l.intel_rdt}}},
        {"mountExtensions", {{"idmap", {{"enabled", l.mount_idmap}}}}},
    };
    oj o = {{"ociVersionMin", f.oci_version_min},
            {"ociVersionMax", f.oci_version_max},
            {"hooks", f.hooks},
            {"mountOptions", f.mount_options},
            {"linux", std::move(linux_section)},
            {"annotations", f.annotations}};
    if (!f.potentially_unsafe_config_annotations.empty())
        o["potentiallyUnsafeConfigAnnotations"] = f.potentially_unsafe_config_annotations;
    return o.dump(indent);
}

} // namespace skiff::oci
