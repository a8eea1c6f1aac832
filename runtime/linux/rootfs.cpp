// prepare_rootfs: everything done to the rootfs while the host's tree is still reachable.
#include "rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <sstream>

#include "devices.hpp"
#include "linux.hpp"
#include "mounts.hpp"
#include "safe_path.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"

namespace skiff::runtime::linux {

Result<unsigned long> root_propagation(const oci::Spec& spec) {
    if (!spec.linux_ || spec.linux_->rootfs_propagation.empty()) return 0ul;
    const std::string& p = spec.linux_->rootfs_propagation;
    static const std::pair<const char*, unsigned long> kValues[] = {
        {"private", MS_PRIVATE},           {"rprivate", MS_PRIVATE | MS_REC},
        {"shared", MS_SHARED},             {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},               {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE},     {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    for (auto [name, flag] : kValues)
        if (p == name) return flag;
    return Error{"linux.rootfsPropagation: unknown value \"" + p + "\""};
}

bool has_mount_namespace(const oci::Spec& spec) {
    return spec.linux_ && spec.linux_->has_namespace("mount");
}

bool has_user_namespace(const oci::Spec& spec) {
    return spec.linux_ && spec.linux_->has_namespace("user");
}

namespace {

// pivot_root refuses a new root whose parent mount is shared: with rootfsPropagation
// "shared"/"rshared" the mount holding the rootfs directory is made private (as runc does).
Result<void> make_rootfs_parent_private(const std::string& rootfs) {
    UniqueFd fd(open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC));
    if (!fd) return sys_error("open /proc/self/mountinfo");
    std::string text;
    char buf[16384];
    ssize_t n;
    while ((n = read(fd.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    std::string best = "/";
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string id, parent, dev, root, point;
        fields >> id >> parent >> dev >> root >> point;
        // Mount points with blanks are escaped as \040 and cannot be prefixes of a clean path
        // that has none; the rootfs path is compared as is.
        if (point.size() > best.size() &&
            (rootfs == point || rootfs.rfind(point + "/", 0) == 0))
            best = point;
    }
    if (mount(nullptr, best.c_str(), nullptr, MS_PRIVATE, nullptr) < 0)
        return sys_error("make " + best + " (parent mount of the rootfs) private");
    return ok();
}

} // namespace

Result<void> prepare_rootfs(const oci::Spec& spec, const RootfsOptions& opts) {
    if (!has_mount_namespace(spec)) {
        if (!spec.mounts.empty())
            return Error{"mounts: the spec has no mount namespace to mount them in"};
        return ok(); // enter_rootfs will chroot
    }
    const unsigned long propagation = SKIFF_TRY(root_propagation(spec));
    RootfsOptions clean_opts = opts;
    clean_opts.rootfs = clean_path(opts.rootfs);
    // Every option is checked before the first mount.
    std::vector<MountOptions> options;
    options.reserve(spec.mounts.size());
    for (size_t i = 0; i < spec.mounts.size(); i++) {
        const auto& m = spec.mounts[i];
        auto mo = parse_mount_options(m.options, is_bind_mount(m.type, m.options));
        if (!mo) return std::move(mo).error().wrap("mounts[" + std::to_string(i) + "] (" + m.destination + ")");
        if (m.type == "bind") mo->flags |= MS_BIND;
        options.push_back(std::move(*mo));
    }

    // Nothing done from here on may reach the host's mounts: slave by default, so host mount
    // events still arrive but none leave.
    const unsigned long root_flags = propagation ? propagation : MS_SLAVE | MS_REC;
    if (mount(nullptr, "/", nullptr, root_flags, nullptr) < 0)
        return sys_error("set propagation of / (rootfsPropagation)");
    if (root_flags & MS_SHARED) SKIFF_CHECK(make_rootfs_parent_private(clean_opts.rootfs));
    // The rootfs becomes a mount of its own: pivot_root needs one, and mounts below it are
    // then all inside the tree that moves.
    if (mount(clean_opts.rootfs.c_str(), clean_opts.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
        return sys_error("bind mount rootfs " + clean_opts.rootfs + " on itself");
    UniqueFd root(open(clean_opts.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return sys_error("open rootfs " + clean_opts.rootfs);

    MountContext ctx{spec, clean_opts, root.get(), has_user_namespace(spec), false};
    if (const auto* cg = spec.linux_->find_namespace("cgroup")) ctx.cgroupns = cg->path.empty();
    for (size_t i = 0; i < spec.mounts.size(); i++)
        SKIFF_CHECK(mount_entry(ctx, i, spec.mounts[i], options[i]));
    if (needs_dev_setup(spec)) SKIFF_CHECK(create_dev(ctx));
    if (!opts.console_path.empty()) SKIFF_CHECK(bind_console(root.get(), opts.console_path));
    return ok();
}

Result<void> mount_console(const std::string& pty) { return bind_console(-1, pty); }

} // namespace skiff::runtime::linux
