// `features`: what the parser accepts (oci), narrowed and completed by what this runtime and
// host actually do: capabilities and seccomp from the security part, cgroup drivers from the
// cgroups part, LSMs from the host, and the isolation modes this build can run.
#include <unistd.h>

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
    lx.apparmor = ::access("/sys/module/apparmor/parameters/enabled", F_OK) == 0;
    lx.selinux = false;
    lx.intel_rdt = false;
    f.annotations[kIsolationAnnotation] = "container"; // vm joins when its handler lands
    return oci::features_json(f, 4);
}

} // namespace skiff::runtime
