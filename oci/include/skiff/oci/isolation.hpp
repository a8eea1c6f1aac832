// Which backend runs a container: namespaces + cgroups ("container") or the KVM unikernel ("vm").
// Chosen per container by the annotation run.skiff.isolation; absent means the caller's default.
#pragma once

#include <string_view>

#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::oci {

enum class Isolation { Container, Vm };

inline constexpr const char* kIsolationAnnotation = "run.skiff.isolation";

const char* to_string(Isolation isolation);

// "container" or "vm"; anything else is an error naming the value and what is accepted.
Result<Isolation> parse_isolation(std::string_view value);

// The mode the spec asks for, `fallback` when it does not say. An unknown value is an error
// naming annotations["run.skiff.isolation"].
Result<Isolation> isolation_of(const Spec& spec, Isolation fallback = Isolation::Container);

} // namespace skiff::oci
