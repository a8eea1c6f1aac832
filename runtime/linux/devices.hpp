// /dev inside the rootfs: the default devices, linux.devices, /dev/ptmx and the fd symlinks,
// and /dev/console. Internal to runtime/linux.
#pragma once

#include <string>

#include "mounts.hpp"

namespace skiff::runtime::linux {

// runc's rule: /dev is set up unless the spec bind-mounts something onto /dev itself.
bool needs_dev_setup(const oci::Spec& spec);

// Default devices (null zero full random urandom tty) unless the spec lists the same path,
// then every linux.devices entry: mknod, or a bind of the host's node where mknod is not
// permitted (user namespaces); then /dev/ptmx -> pts/ptmx and the fd, stdin, stdout, stderr
// (and core) symlinks.
Result<void> create_dev(const MountContext& ctx);

// Binds the pty slave `pty` onto /dev/console, creating the file; `root` is the rootfs fd
// before pivot_root, or AT_FDCWD-like -1 for the current root.
Result<void> bind_console(int root, const std::string& pty);

} // namespace skiff::runtime::linux
