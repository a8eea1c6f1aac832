#include "mounts.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <array>
#include <string_view>

#include "idmapped_mounts.hpp"
#include "safe_path.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"

namespace skiff::runtime::linux {

MountAttrChange attrs_from_flags(unsigned long set, unsigned long cleared) {
    constexpr std::pair<unsigned long, uint64_t> kMap[] = {
        {MS_RDONLY, MOUNT_ATTR_RDONLY},         {MS_NOSUID, MOUNT_ATTR_NOSUID},
        {MS_NODEV, MOUNT_ATTR_NODEV},           {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
        {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME}, {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
    };
    MountAttrChange c;
    for (auto [flag, attr] : kMap) {
        if (set & flag) c.set |= attr;
        else if (cleared & flag) c.clr |= attr;
    }
    // The atime mode is one field; only an explicit mode changes it (as a legacy remount keeps
    // the mount's mode when none is given).
    if (set & MS_NOATIME) c.set |= MOUNT_ATTR_NOATIME;
    else if (set & MS_STRICTATIME) c.set |= MOUNT_ATTR_STRICTATIME;
    if (set & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) c.clr |= MOUNT_ATTR__ATIME;
    return c;
}

Result<void> set_mount_attrs(int fd, const MountAttrChange& change, bool recursive,
                             const std::string& what) {
    mount_attr attr{};
    attr.attr_set = change.set;
    attr.attr_clr = change.clr;
    unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
    if (mount_setattr(fd, "", flags, &attr, sizeof attr) < 0)
        return sys_error(what + ": mount_setattr");
    return ok();
}

namespace {

// Which data option the filesystem refused, asked option by option through the fs_context
// API. Only run after mount(2) said EINVAL, so it costs nothing on the normal path.
std::string rejected_data_option(const std::string& type, const std::vector<std::string>& data) {
    int fs = fsopen(type.c_str(), FSOPEN_CLOEXEC);
    if (fs < 0) return {};
    UniqueFd guard(fs);
    for (const auto& opt : data) {
        size_t eq = opt.find('=');
        int r = eq == std::string::npos
                    ? fsconfig(fs, FSCONFIG_SET_FLAG, opt.c_str(), nullptr, 0)
                    : fsconfig(fs, FSCONFIG_SET_STRING, opt.substr(0, eq).c_str(),
                               opt.c_str() + eq + 1, 0);
        if (r < 0) return opt;
    }
    return {};
}

// runc's rule (CVE-2019-19921 and friends): nothing may be mounted over procfs entries, which
// masked and read-only paths protect, except the few files lxcfs emulates; /proc itself only
// takes a procfs.
Result<void> check_proc_mount(const std::string& real, const oci::Mount& m, bool bind,
                              const std::string& source, const std::string& what) {
    if (real != "/proc" && real.rfind("/proc/", 0) != 0) return ok();
    if (real == "/proc") {
        if (!bind && m.type == "proc") return ok();
        struct statfs sfs{};
        if (bind && statfs(source.c_str(), &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC)
            return ok();
        return Error{what + ": only a procfs may be mounted on /proc"};
    }
    constexpr std::string_view kAllowed[] = {
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",
        "/proc/swaps",   "/proc/uptime",    "/proc/loadavg", "/proc/slabinfo",
        "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
    };
    for (auto a : kAllowed)
        if (real == a) return ok();
    return Error{what + ": mounting over " + real + " inside /proc is not allowed"};
}

} // namespace

std::string bind_source(const std::string& source, const std::string& bundle) {
    if (!source.empty() && source[0] == '/') return source;
    return clean_path(bundle + "/" + source);
}

Result<void> mount_entry(const MountContext& ctx, size_t index, const oci::Mount& m,
                         const MountOptions& mo) {
    const std::string dest = clean_path(m.destination);
    const bool bind = mo.bind() || m.type == "bind";
    const std::string source = bind ? bind_source(m.source, ctx.opts.bundle) : m.source;
    const std::string what =
        bind ? "bind mount " + source + " on " + dest : "mount " + m.type + " on " + dest;
    if (dest == "/") return Error{what + ": cannot mount over the container's root"};
    if (m.type.empty() && !bind) return Error{what + ": mount has no type"};

    bool src_is_dir = true;
    if (bind) {
        struct stat st{};
        if (stat(source.c_str(), &st) < 0) return sys_error(what + ": stat " + source);
        src_is_dir = S_ISDIR(st.st_mode);
    }

    bool followed = false;
    UniqueFd target = src_is_dir ? SKIFF_TRY(mkdir_all_in_root(ctx.root, dest, 0755, &followed))
                                 : SKIFF_TRY(create_file_in_root(ctx.root, dest, 0644, &followed));
    std::string real = dest;
    if (followed) {
        real = SKIFF_TRY(path_in_root(target.get(), ctx.opts.rootfs));
        if (real.empty()) return Error{what + ": destination resolves outside the rootfs"};
    }
    SKIFF_CHECK(check_proc_mount(real, m, bind, source, what));

    if (m.type == "cgroup" && !bind) return mount_cgroup(ctx, m, mo, target.get(), real);

    // The directory a tmpfs will cover, kept open to copy from once it is covered.
    UniqueFd underlying;
    if (mo.tmpcopyup) {
        underlying.reset(openat(target.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!underlying) return sys_error(what + ": open " + real + " for tmpcopyup");
    }

    const std::string target_path = proc_fd_path(target.get());
    unsigned long flags = mo.flags;
    MountAttrChange bind_attrs;
    bool attrs_recursive = false;
    bool late_readonly = false; // ro applied after the mount is filled
    if (mo.idmap) {
        if (!bind) return Error{what + ": idmap needs a bind mount"};
        SKIFF_CHECK(mount_idmapped(ctx, index, m, mo, source, target.get(), what));
    } else if (bind && !(flags & MS_REMOUNT)) {
        // A bind ignores every flag but MS_REC: the others are a second step on the new mount.
        bind_attrs = attrs_from_flags(flags & ~(MS_BIND | MS_REC), mo.cleared);
        if (!(flags & ~(MS_BIND | MS_REC))) bind_attrs = {}; // runc: "rw" alone changes nothing
        if (mount(source.c_str(), target_path.c_str(), nullptr, MS_BIND | (flags & MS_REC),
                  nullptr) < 0)
            return sys_error(what);
    } else {
        if ((flags & MS_RDONLY) && mo.tmpcopyup) {
            flags &= ~MS_RDONLY;
            late_readonly = true;
        }
        // A read-only /dev is made read-only by finalize_rootfs, after its devices exist.
        if ((flags & MS_RDONLY) && real == "/dev" && !(flags & MS_REMOUNT)) flags &= ~MS_RDONLY;
        const std::string data = mo.data_string();
        const char* src = !m.source.empty() ? m.source.c_str() : m.type.c_str();
        const char* type = bind ? nullptr : m.type.c_str();
        if (mount(src, target_path.c_str(), type, flags, data.empty() ? nullptr : data.c_str()) <
            0) {
            int err = errno;
            if (err == EPERM && m.type == "sysfs" && ctx.userns) {
                // A user namespace without its own network namespace may not mount sysfs:
                // the host's /sys, bound recursively, is what runc falls back to as well.
                if (mount("/sys", target_path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
                    return sys_error(what + " (bind of /sys after EPERM)");
                bind_attrs = attrs_from_flags(flags, mo.cleared);
                attrs_recursive = true;
            } else if (err == EINVAL && !mo.data.empty()) {
                std::string bad = rejected_data_option(m.type, mo.data);
                if (!bad.empty()) return sys_error(what + ": option \"" + bad + "\"", err);
                return sys_error(what + " (options \"" + data + "\")", err);
            } else {
                return sys_error(what, err);
            }
        }
    }

    const MountAttrChange rec_attrs{mo.rec_attr_set, mo.rec_attr_clr};
    if (bind_attrs.empty() && mo.propagation.empty() && rec_attrs.empty() && !mo.tmpcopyup &&
        !late_readonly)
        return ok();

    // The O_PATH fd still names the directory under the new mount: look the path up again to
    // reach the mount itself.
    UniqueFd mounted = SKIFF_TRY(open_in_root(ctx.root, real, O_PATH));
    if (!bind_attrs.empty())
        SKIFF_CHECK(set_mount_attrs(mounted.get(), bind_attrs, attrs_recursive, what));
    if (mo.tmpcopyup) {
        UniqueFd to(openat(mounted.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!to) return sys_error(what + ": open for tmpcopyup");
        SKIFF_CHECK(copy_up(underlying.get(), to.get(), real));
    }
    if (late_readonly)
        SKIFF_CHECK(set_mount_attrs(mounted.get(), {MOUNT_ATTR_RDONLY, 0}, false, what));
    const std::string mounted_path = proc_fd_path(mounted.get());
    for (unsigned long p : mo.propagation)
        if (mount(nullptr, mounted_path.c_str(), nullptr, p, nullptr) < 0)
            return sys_error(what + ": set propagation");
    if (!rec_attrs.empty()) SKIFF_CHECK(set_mount_attrs(mounted.get(), rec_attrs, true, what));
    return ok();
}

} // namespace skiff::runtime::linux
