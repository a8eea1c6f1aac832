// Performing the spec's mounts inside the rootfs (before pivot_root). Internal to runtime/linux.
#pragma once

#include <string>

#include "linux.hpp"
#include "mount_options.hpp"
#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::runtime::linux {

struct MountContext {
    const oci::Spec& spec;
    const RootfsOptions& opts;
    int root = -1;         // O_PATH fd of the rootfs (its bind mount on itself)
    bool userns = false;   // the container has a user namespace (new or joined)
    bool cgroupns = false; // the container gets a new cgroup namespace
};

// spec.mounts[index]; `mo` is its parsed options (parsed up front so that bad options fail
// before anything is mounted).
Result<void> mount_entry(const MountContext& ctx, size_t index, const oci::Mount& m,
                         const MountOptions& mo);

// A bind mount's source: relative paths are relative to the bundle (as runc).
std::string bind_source(const std::string& source, const std::string& bundle);

// type "cgroup": cgroup2 on a v2 host, else a tmpfs with the container's v1 controller
// directories (and the hybrid layout's unified directory) bound or mounted under it.
// `dest` is open (O_PATH) on the destination directory, `dest_path` its path in the rootfs.
Result<void> mount_cgroup(const MountContext& ctx, const oci::Mount& m, const MountOptions& mo,
                          int dest, const std::string& dest_path);

// tmpcopyup: copies the directory tree `from` (the directory the tmpfs now covers) into `to`.
Result<void> copy_up(int from, int to, const std::string& dest_path);

// mount_setattr for bind mounts: maps MS_* flags set/cleared onto MOUNT_ATTR_* (only the
// per-mount ones; superblock flags mean nothing on a bind).
struct MountAttrChange {
    uint64_t set = 0, clr = 0;
    bool empty() const { return set == 0 && clr == 0; }
};
MountAttrChange attrs_from_flags(unsigned long set, unsigned long cleared);
// mount_setattr(fd, "", AT_EMPTY_PATH [| AT_RECURSIVE]); `what` names the mount in errors.
Result<void> set_mount_attrs(int fd, const MountAttrChange& change, bool recursive,
                             const std::string& what);

} // namespace skiff::runtime::linux
