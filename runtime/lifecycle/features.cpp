// `features`: the oci layer's document of what the parser accepts, completed with what this
// build's runtime parts and this host actually support: capabilities and seccomp from the
// security part, cgroup drivers from the cgroups part, LSMs from the host, and the isolation
// modes this build can run.
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
    lx.seccomp.known_flags = security::seccomp_known_flags();
    lx.seccomp.supported_flags = security::seccomp_supported_flags();
    if (auto mode = cgroups::detect_mode(); mode) {
        lx.cgroup.v1 = *mode != cgroups::Mode::V2;
        lx.cgroup.v2 = *mode != cgroups::Mode::V1;
    }
    lx.cgroup.systemd = true; // accepted and mapped onto cgroupfs when systemd is absent
    struct stat st;
    lx.apparmor = ::stat("/sys/kernel/security/apparmor", &st) == 0;
    lx.selinux = ::stat("/sys/fs/selinux/enforce", &st) == 0;
    // vm joins when its handler replaces lifecycle/handler.cpp's VmHandler.
    f.annotations[kIsolationAnnotation] = "container,vm";
    f.potentially_unsafe_config_annotations.push_back(kIsolationAnnotation);
    return oci::features_json(f);
}

} // namespace skiff::runtime
