// OCI hooks: each runs with the container's state JSON on stdin, its own env only, and its
// timeout (then it is killed and fails). A failing hook fails the phase, naming the hook.
#pragma once

#include <string>
#include <vector>

#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::runtime {

// `phase` names the hook list in errors ("prestart", "poststop", ...).
Result<void> run_hooks(const std::vector<oci::Hook>& hooks, const char* phase,
                       const std::string& state_json);

} // namespace skiff::runtime
