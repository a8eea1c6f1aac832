// The Linux environment of a container: namespaces, the root filesystem (mounts, /dev, pivot),
// and the kernel settings that live inside its namespaces (hostname, sysctl).
// Everything here except the *_from_parent functions runs inside the container's init process.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::runtime::linux {

// CLONE_NEW* flags for namespaces the spec asks to create (those without a path).
Result<int> clone_flags(const oci::Linux& linux);
// Opens the paths of namespaces to join, in the order they must be joined (user first when it
// is joined, mount last); error names the namespace type and path.
struct JoinList {
    std::vector<std::pair<int, int>> fds; // (fd, CLONE_NEW* type)
    ~JoinList();
};
Result<JoinList> open_namespaces_to_join(const oci::Linux& linux);
Result<void> join_namespaces(const JoinList& list);

// Parent side of a new user namespace: writes uid_map, setgroups, gid_map of `pid`.
Result<void> write_id_mappings_from_parent(pid_t pid, const oci::Linux& linux);
// Parent side of a new time namespace: writes /proc/pid/timens_offsets before the child
// enters it.
Result<void> write_time_offsets_from_parent(pid_t pid, const oci::Linux& linux);

struct RootfsOptions {
    std::string bundle;       // absolute bundle directory
    std::string rootfs;       // absolute rootfs path (root.path resolved against bundle)
    bool no_pivot = false;    // --no-pivot: MS_MOVE + chroot instead of pivot_root
    std::string console_path; // pty slave to bind on /dev/console, "" if none
};

// In the new mount namespace, before pivot_root: makes / private/slave as rootfsPropagation
// says, bind-mounts the rootfs onto itself, performs every spec mount (all options,
// propagation flags, bind/rbind, remount ro, symlink-safe destinations that never escape the
// rootfs), creates /dev (default devices, listed devices, /dev/pts + ptmx, /dev/shm, fd
// symlinks, console), and creates missing mount points.
Result<void> prepare_rootfs(const oci::Spec& spec, const RootfsOptions& opts);
// pivot_root (or move + chroot), detaches the old root, applies rootfsPropagation, cd /.
Result<void> enter_rootfs(const oci::Spec& spec, const RootfsOptions& opts);
// After pivot: maskedPaths, readonlyPaths, read-only root.
Result<void> finalize_rootfs(const oci::Spec& spec);

Result<void> set_hostname(const oci::Spec& spec); // hostname and domainname (needs uts ns)
Result<void> apply_sysctl(const std::map<std::string, std::string>& sysctl); // /proc/sys/...

} // namespace skiff::runtime::linux
