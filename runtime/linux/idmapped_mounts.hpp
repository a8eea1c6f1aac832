// Idmapped bind mounts ("idmap"/"ridmap" options with the mount's uidMappings/gidMappings):
// open_tree(OPEN_TREE_CLONE) + mount_setattr(MOUNT_ATTR_IDMAP) + move_mount.
#pragma once

#include <string>
#include <vector>

#include "mounts.hpp"
#include "unique_fd.hpp"

namespace skiff::runtime::linux {

// A user namespace whose uid_map/gid_map are exactly these (held by an fd; the short-lived
// process that created it is gone when this returns).
Result<UniqueFd> userns_with_mappings(const std::vector<oci::IdMapping>& uids,
                                      const std::vector<oci::IdMapping>& gids);

// A detached, idmapped clone of `source` with the mount's attributes applied. `userns` is
// used when the mount lists no mappings of its own.
Result<UniqueFd> make_idmapped_tree(const oci::Mount& m, const MountOptions& mo,
                                    const std::string& source, int userns,
                                    const std::string& what);

// Mounts spec.mounts[index] idmapped on `target`: from the fd the parent made
// (RootfsOptions::idmapped_mounts) when there is one, else made here (which needs
// CAP_SYS_ADMIN over the source filesystem, i.e. no user namespace of our own).
Result<void> mount_idmapped(const MountContext& ctx, size_t index, const oci::Mount& m,
                            const MountOptions& mo, const std::string& source, int target,
                            const std::string& what);

} // namespace skiff::runtime::linux
