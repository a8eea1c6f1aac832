// `features`: the OCI document of the oci layer, with what this build's runtime parts report
// (capabilities, seccomp) and skiff's own annotation.
#include <nlohmann/json.hpp>

#include "security/security.hpp"
#include "skiff/runtime/runtime.hpp"

namespace skiff::runtime {

std::string features_json() {
    auto j = nlohmann::ordered_json::parse(oci::features_json(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) j = nlohmann::ordered_json::object();
    auto& lx = j["linux"];
    lx["capabilities"] = security::known_capabilities();
    auto& sc = lx["seccomp"];
    sc["enabled"] = true;
    sc["actions"] = security::seccomp_actions();
    sc["operators"] = security::seccomp_operators();
    sc["archs"] = security::seccomp_architectures();
    auto& ann = j["annotations"];
    if (!ann.is_object()) ann = nlohmann::ordered_json::object();
    ann[kIsolationAnnotation] = "container";
    return j.dump(4);
}

} // namespace skiff::runtime
