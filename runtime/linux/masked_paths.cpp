// finalize_rootfs: what is done to the container's tree after pivot_root: maskedPaths,
// readonlyPaths, a read-only /dev, root.readonly.
#include <sys/mount.h>
#include <sys/stat.h>

#include "linux.hpp"
#include "mount_options.hpp"
#include "rootfs.hpp"
#include "safe_path.hpp"
#include "sys_error.hpp"

namespace skiff::runtime::linux {

namespace {

Result<void> set_readonly(const char* path, unsigned flags, const std::string& what) {
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    // mount_setattr changes only the read-only bit: nosuid/nodev/noexec stay as they are, and
    // flags a user namespace may not drop (locked) are never touched.
    if (mount_setattr(AT_FDCWD, path, flags, &attr, sizeof attr) < 0)
        return sys_error(what + ": mount_setattr");
    return ok();
}

// /dev/null over a file, an empty read-only tmpfs over a directory; absent paths are fine.
// The type is looked up first: a bind of /dev/null that fails over a directory costs the kernel
// an expedited RCU grace period to drop the copy it made (0.1-1 ms each here, 2 per default
// config), a stat 5 us.
Result<void> mask(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return ok();
        return sys_error("mask " + path + ": stat");
    }
    if (!S_ISDIR(st.st_mode)) {
        if (mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr) < 0)
            return sys_error("mask " + path + ": bind mount /dev/null");
        return ok();
    }
    if (mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY, nullptr) < 0)
        return sys_error("mask " + path + ": mount tmpfs");
    return ok();
}

// A read-only bind of the path onto itself, submounts included.
Result<void> make_readonly(const std::string& path) {
    if (mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) {
        if (errno == ENOENT) return ok();
        return sys_error("readonly path " + path + ": bind mount");
    }
    return set_readonly(path.c_str(), AT_RECURSIVE, "readonly path " + path);
}

} // namespace

Result<void> finalize_rootfs(const oci::Spec& spec) {
    if (!spec.linux_) return ok();
    const auto& linux = *spec.linux_;
    if (!has_mount_namespace(spec)) {
        if (!linux.masked_paths.empty() || !linux.readonly_paths.empty() || spec.root.readonly)
            return Error{"linux.maskedPaths/readonlyPaths/root.readonly: need a mount namespace"};
        return ok();
    }
    for (const auto& p : linux.masked_paths)
        SKIFF_CHECK(mask(clean_path(p)));
    for (const auto& p : linux.readonly_paths)
        SKIFF_CHECK(make_readonly(clean_path(p)));
    // prepare_rootfs left a read-only /dev tmpfs writable to create its devices.
    for (const auto& m : spec.mounts) {
        if (clean_path(m.destination) != "/dev" || is_bind_mount(m.type, m.options)) continue;
        bool ro = false;
        for (const auto& o : m.options) {
            if (o == "ro") ro = true;
            if (o == "rw") ro = false;
        }
        if (ro) SKIFF_CHECK(set_readonly("/dev", 0, "mount " + m.type + " on /dev: read-only"));
    }
    if (spec.root.readonly) SKIFF_CHECK(set_readonly("/", 0, "root.readonly: remount /"));
    return ok();
}

} // namespace skiff::runtime::linux
