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

// CLONE_NEW* flags for namespaces the spec asks to create (those without a path), except
// CLONE_NEWTIME: its bit is part of clone(2)'s exit-signal byte, and a process cloned into a
// new time namespace freezes the offsets before anyone can write them. A new time namespace
// is made by enter_time_namespace_for_clone instead.
Result<int> clone_flags(const oci::Linux& linux);
// Opens the paths of namespaces to join, in the order they must be joined (user first when it
// is joined, mount last); error names the namespace type and path.
struct JoinList {
    std::vector<std::pair<int, int>> fds; // (fd, CLONE_NEW* type)
    std::vector<std::string> paths;       // paths[i] was opened as fds[i], for errors
    JoinList() = default;
    JoinList(JoinList&& other) noexcept;
    JoinList& operator=(JoinList&& other) noexcept;
    JoinList(const JoinList&) = delete; // owns the fds
    JoinList& operator=(const JoinList&) = delete;
    ~JoinList();
};
Result<JoinList> open_namespaces_to_join(const oci::Linux& linux);
Result<void> join_namespaces(const JoinList& list);

// Parent side of a new user namespace: writes uid_map, setgroups, gid_map of `pid`.
// Nothing to do (ok) when the spec creates no user namespace. "deny" goes to setgroups only
// when the caller is unprivileged (the kernel requires it there; root keeps setgroups usable).
// Unprivileged callers that may not write a mapping directly fall back to newuidmap and
// newgidmap (shadow's setuid helpers), as runc does.
Result<void> write_id_mappings_from_parent(pid_t pid, const oci::Linux& linux);
// Parent side of a new time namespace: writes /proc/pid/timens_offsets ("monotonic",
// "boottime"). The kernel takes offsets only while no process is in the namespace: the child
// must have unshare(CLONE_NEWTIME)d (its children, and itself after exec or
// setns(/proc/self/ns/time_for_children), enter it), not been cloned into it.
Result<void> write_time_offsets_from_parent(pid_t pid, const oci::Linux& linux);

// Parent side, just before cloning the init, when the spec asks for a new time namespace:
// unshares one for the runtime's children, writes linux.timeOffsets into it, and returns an
// fd of the runtime's own time namespace; the init cloned next is born in the new one.
// Call restore_time_namespace(fd) right after the clone (the runtime must be single-threaded,
// as setns of a time namespace requires). Returns -1 (nothing done) when no new time
// namespace is asked for.
Result<int> enter_time_namespace_for_clone(const oci::Linux& linux);
Result<void> restore_time_namespace(int saved_fd); // closes saved_fd; no-op for -1

struct RootfsOptions {
    std::string bundle;       // absolute bundle directory
    std::string rootfs;       // absolute rootfs path (root.path resolved against bundle)
    bool no_pivot = false;    // --no-pivot: MS_MOVE + chroot instead of pivot_root
    std::string console_path; // pty slave to bind on /dev/console, "" if none (a path
                              // before pivot_root; after it, call mount_console instead)
    // Detached idmapped mount trees made by the parent (open_idmapped_mounts_from_parent),
    // by index in spec.mounts, as fds of this process. Mounts with idmap/ridmap that have no
    // entry here are made in place (possible only without a user namespace).
    std::map<size_t, int> idmapped_mounts;
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

// Binds the pty slave `pty` onto /dev/console of the current root (after enter_rootfs, as
// runc does with a pty opened from the container's /dev/ptmx).
Result<void> mount_console(const std::string& pty);

// Parent side, for idmap/ridmap mounts of a container with a user namespace: an idmapped
// mount needs CAP_SYS_ADMIN over the source filesystem, which the container's init (inside
// its user namespace) lacks. Makes each such mount as a detached tree (mapped by the mount's
// own uidMappings/gidMappings, else by the user namespace at `userns`, "/proc/PID/ns/user" of
// the init or the path the config joins) and returns the fds by index in spec.mounts; the
// caller owns them and hands them to the child for RootfsOptions::idmapped_mounts.
Result<std::map<size_t, int>> open_idmapped_mounts_from_parent(const std::string& userns, const oci::Spec& spec,
                                                               const std::string& bundle);

Result<void> set_hostname(const oci::Spec& spec); // hostname and domainname (needs uts ns)
// Checks every key as runc does: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.* need an
// ipc namespace, net.* a network namespace (not the runtime's own), kernel.domainname a uts
// namespace; kernel.hostname conflicts with the hostname field; anything else is refused.
// Cheap, no syscalls but for joined network namespaces: call it before creating anything.
Result<void> validate_sysctl(const oci::Spec& spec);
// Writes /proc/sys/... for each key (no validation); the error names the key.
Result<void> apply_sysctl(const std::map<std::string, std::string>& sysctl);
// validate_sysctl, then apply_sysctl.
Result<void> apply_sysctl(const oci::Spec& spec);

} // namespace skiff::runtime::linux
