// Writing a new user namespace's id maps from outside it. Internal to runtime/linux.
#pragma once

#include <sys/types.h>

#include <vector>

#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::runtime::linux {

// uid_map, then "deny" to setgroups when asked, then gid_map (the kernel wants setgroups
// settled before an unprivileged gid_map write).
Result<void> write_id_maps(pid_t pid, const std::vector<oci::IdMapping>& uids,
                           const std::vector<oci::IdMapping>& gids, bool deny_setgroups);

} // namespace skiff::runtime::linux
