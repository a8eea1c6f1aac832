// enter_rootfs: making the prepared rootfs the container's /.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux.hpp"
#include "rootfs.hpp"
#include "sys_error.hpp"

namespace skiff::runtime::linux {

namespace {

// pivot_root(".", ".") stacks the old root on top of the new one, both at "/"; the cwd is the
// new root, and "." from there names the old root's mount, which a lazy unmount then removes.
// No directory for the old root is needed in the image, nothing is left behind in it.
Result<void> pivot(const std::string& rootfs, unsigned long propagation) {
    if (chdir(rootfs.c_str()) < 0) return sys_error("chdir " + rootfs);
    if (syscall(SYS_pivot_root, ".", ".") < 0) return sys_error("pivot_root " + rootfs);
    // A shared old root would carry the unmount to the host's mounts; rslave (the default)
    // and private ones do not, so the extra call is only needed then.
    if ((propagation & MS_SHARED) && mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0)
        return sys_error("make the old root a slave");
    if (umount2(".", MNT_DETACH) < 0) return sys_error("unmount the old root");
    if (chdir("/") < 0) return sys_error("chdir /");
    return ok();
}

// --no-pivot (for roots pivot_root refuses, such as an initramfs): move the rootfs over /
// and chroot into it. The old root stays reachable to a process that escapes the chroot,
// which is why this is not the default.
Result<void> move_root(const std::string& rootfs) {
    if (chdir(rootfs.c_str()) < 0) return sys_error("chdir " + rootfs);
    if (mount(rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) < 0)
        return sys_error("move mount " + rootfs + " on /");
    if (chroot(".") < 0) return sys_error("chroot " + rootfs);
    if (chdir("/") < 0) return sys_error("chdir /");
    return ok();
}

} // namespace

Result<void> enter_rootfs(const oci::Spec& spec, const RootfsOptions& opts) {
    const unsigned long propagation = SKIFF_TRY(root_propagation(spec));
    if (!has_mount_namespace(spec)) {
        // Sharing the runtime's mount namespace: all that can be done is a chroot.
        if (chroot(opts.rootfs.c_str()) < 0) return sys_error("chroot " + opts.rootfs);
        if (chdir("/") < 0) return sys_error("chdir /");
        return ok();
    }
    SKIFF_CHECK(opts.no_pivot ? move_root(opts.rootfs) : pivot(opts.rootfs, propagation));
    // The rootfs bind took the propagation of the mount it came from; a configured one is
    // applied to the new / itself now that it can no longer touch the host's mounts.
    if (propagation && mount(nullptr, "/", nullptr, propagation, nullptr) < 0)
        return sys_error("set propagation of / (rootfsPropagation)");
    return ok();
}

} // namespace skiff::runtime::linux
