// `features`: the oci layer's document of what the parser accepts, completed with what this
// build's runtime parts and this host actually support.
#include <sys/stat.h>

#include "cgroups/cgroup.hpp"
#include "security/security.hpp"
#include "skiff/oci/features.hpp"
#include "skiff/runtime/runtime.hpp"

namespace skiff::runtime {

std::string features_json() {
    oci::Features f = oci::parser_features();
    auto& lx = f.linux_;
    lx.capabilities = security::known_capabilities();
    lx.seccomp.enabled = true;
    lx.seccomp.actions = security::seccomp_actions();
    lx.seccomp.operators = security::seccomp_operators();
    lx.seccomp.archs = security::seccomp_architectures();
    lx.seccomp.supported_flags = lx.seccomp.known_flags;
    lx.cgroup.v1 = true;
    lx.cgroup.v2 = true;
    lx.cgroup.systemd = true; // accepted and mapped onto cgroupfs when systemd is absent
    struct stat st;
    lx.apparmor = stat("/sys/kernel/security/apparmor", &st) == 0;
    lx.selinux = stat("/sys/fs/selinux/enforce", &st) == 0;
    f.annotations[kIsolationAnnotation] = "container,vm";
    f.potentially_unsafe_config_annotations.push_back(kIsolationAnnotation);
    return oci::features_json(f);
}

} // namespace skiff::runtime
