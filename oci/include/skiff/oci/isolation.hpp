// Which backend runs a container: namespaces + cgroups ("container") or the KVM unikernel ("vm").
// Chosen per container by the annotation run.skiff.isolation; absent, by the host default in
// skiff's config file (/etc/skiff/config.json, or $SKIFF_CONFIG); absent too, container.
#pragma once

#include <string>
#include <string_view>

#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::oci {

enum class Isolation { Container, Vm };

inline constexpr const char* kIsolationAnnotation = "run.skiff.isolation";
inline constexpr const char* kHostConfigPath = "/etc/skiff/config.json";
inline constexpr const char* kHostConfigEnv = "SKIFF_CONFIG";

const char* to_string(Isolation isolation);

// "container" or "vm"; anything else is an error naming the value and what is accepted.
Result<Isolation> parse_isolation(std::string_view value);

// The mode the spec asks for, `fallback` when it does not say. An unknown value is an error
// naming annotations["run.skiff.isolation"].
Result<Isolation> isolation_of(const Spec& spec, Isolation fallback = Isolation::Container);

// skiff's host-wide settings, {"isolation": "container"|"vm", "vm_fallback": bool}. Other
// members are left to the tools that use them.
struct HostConfig {
    Isolation isolation = Isolation::Container;
    // vm mode on a host without a usable /dev/kvm runs the container in container mode (with a
    // warning) instead of failing: an explicit opt-in, never the default.
    bool vm_fallback = false;
};

// Errors name the file and the member: "/etc/skiff/config.json: isolation: unknown ...".
Result<HostConfig> parse_host_config(const std::string& json_text, std::string_view source);

// $SKIFF_CONFIG when set and not empty, else /etc/skiff/config.json.
std::string host_config_path();

// The host config, read with one open and one read; an absent file is the defaults.
Result<HostConfig> load_host_config();

} // namespace skiff::oci
