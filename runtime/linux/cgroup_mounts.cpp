// Mount type "cgroup". On a cgroup v2 host: cgroup2 itself (with a new cgroup namespace it
// shows the container's own cgroup as its root), or a bind of the container's cgroup when
// the kernel refuses. On v1 and hybrid hosts, as runc: a tmpfs at the destination holding one
// directory per hierarchy, each the container's own cgroup of that hierarchy (bound from the
// host's mount, or mounted fresh inside a new cgroup namespace), symlinks for co-mounted
// controllers, and the whole made read-only in one step when the mount says "ro".
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include "mounts.hpp"
#include "safe_path.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"

namespace skiff::runtime::linux {

namespace {

struct Hierarchy {
    std::string controllers; // "cpu,cpuacct", "name=systemd", "" for the v2 hierarchy
    std::string path;        // the process's cgroup in it
};

struct CgroupMount {
    std::string mount_point, root, fstype, super_options;
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) out.push_back(cur);
    return out;
}

// mountinfo escapes blanks and backslashes as \ooo.
std::string unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); i++) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

Result<std::string> read_file(const char* path) {
    UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
    if (!fd) return sys_error(std::string("open ") + path);
    std::string out;
    char buf[16384];
    for (;;) {
        ssize_t n = read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error(std::string("read ") + path);
        if (n == 0) return out;
        out.append(buf, static_cast<size_t>(n));
    }
}

Result<std::vector<CgroupMount>> host_cgroup_mounts(const std::string& rootfs) {
    std::string text = SKIFF_TRY(read_file("/proc/self/mountinfo"));
    std::vector<CgroupMount> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        size_t dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        auto pre = split(line.substr(0, dash), ' ');
        auto post = split(line.substr(dash + 3), ' ');
        if (pre.size() < 5 || post.size() < 3) continue;
        if (post[0] != "cgroup" && post[0] != "cgroup2") continue;
        CgroupMount m{unescape(pre[4]), unescape(pre[3]), post[0], post[2]};
        // Mounts inside the container's rootfs are not the host's hierarchies.
        if (m.mount_point == rootfs || m.mount_point.rfind(rootfs + "/", 0) == 0) continue;
        out.push_back(std::move(m));
    }
    return out;
}

Result<std::vector<Hierarchy>> own_hierarchies() {
    std::string text = SKIFF_TRY(read_file("/proc/self/cgroup"));
    std::vector<Hierarchy> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        size_t a = line.find(':');
        size_t b = a == std::string::npos ? a : line.find(':', a + 1);
        if (b == std::string::npos) continue;
        out.push_back({line.substr(a + 1, b - a - 1), line.substr(b + 1)});
    }
    return out;
}

bool has_all(const std::string& super_options, const std::string& controllers) {
    auto have = split(super_options, ',');
    for (const auto& c : split(controllers, ',')) {
        bool found = false;
        for (const auto& h : have) found = found || h == c;
        if (!found) return false;
    }
    return true;
}

// The host directory of the process's own cgroup in mount `m`, "" if that cgroup is not
// below the mount's root (then the hierarchy is not reachable through this mount).
std::string own_dir(const CgroupMount& m, const std::string& path) {
    if (m.root == "/") return clean_path(m.mount_point + "/" + path);
    if (path == m.root) return m.mount_point;
    if (path.rfind(m.root + "/", 0) == 0) return m.mount_point + path.substr(m.root.size());
    return {};
}

} // namespace

Result<void> mount_cgroup(const MountContext& ctx, const oci::Mount&, const MountOptions& mo,
                          int dest, const std::string& dest_path) {
    const std::string what = "mount cgroup on " + dest_path;
    const std::string dest_proc = proc_fd_path(dest);
    // Per-mount flags: nosuid, nodev, noexec, ro, atime. "ro" is applied at the end so the
    // tree can be filled first.
    const unsigned long flags = mo.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
    const bool ro = flags & MS_RDONLY;

    auto mounts = SKIFF_TRY(host_cgroup_mounts(ctx.opts.rootfs));
    auto hierarchies = SKIFF_TRY(own_hierarchies());

    const CgroupMount* v2root = nullptr;
    for (const auto& cm : mounts)
        if (cm.fstype == "cgroup2" && cm.mount_point == "/sys/fs/cgroup") v2root = &cm;
    if (v2root) {
        if (mount("cgroup2", dest_proc.c_str(), "cgroup2", flags, nullptr) == 0) return ok();
        if (errno != EPERM && errno != EBUSY) return sys_error(what);
        std::string src;
        for (const auto& h : hierarchies)
            if (h.controllers.empty()) src = own_dir(*v2root, h.path);
        if (src.empty()) return Error{what + ": no cgroup v2 entry in /proc/self/cgroup"};
        if (mount(src.c_str(), dest_proc.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
            return sys_error(what + ": bind " + src);
        UniqueFd top = SKIFF_TRY(open_in_root(ctx.root, dest_path, O_PATH));
        return set_mount_attrs(top.get(), attrs_from_flags(flags, mo.cleared), true, what);
    }

    if (mount("tmpfs", dest_proc.c_str(), "tmpfs", flags & ~MS_RDONLY, "mode=755") < 0)
        return sys_error(what + ": tmpfs");
    UniqueFd top = SKIFF_TRY(open_in_root(ctx.root, dest_path, O_PATH | O_DIRECTORY));
    const std::string top_proc = proc_fd_path(top.get());

    for (const auto& h : hierarchies) {
        const CgroupMount* cm = nullptr;
        for (const auto& c : mounts) {
            if (h.controllers.empty() ? c.fstype == "cgroup2"
                                      : c.fstype == "cgroup" && has_all(c.super_options, h.controllers)) {
                cm = &c;
                break;
            }
        }
        if (!cm) continue; // a hierarchy the host does not mount
        std::string name = base_name(clean_path(cm->mount_point));
        if (mkdirat(top.get(), name.c_str(), 0755) < 0 && errno != EEXIST)
            return sys_error(what + ": mkdir " + name);
        const std::string sub = top_proc + "/" + name;
        if (ctx.cgroupns) {
            // The cgroup namespace's root is the container's cgroup: a fresh mount shows it.
            const char* type = cm->fstype.c_str();
            std::string data = h.controllers.rfind("name=", 0) == 0 ? "none," + h.controllers
                                                                   : h.controllers;
            if (mount("cgroup", sub.c_str(), type, flags & ~MS_RDONLY,
                      h.controllers.empty() ? nullptr : data.c_str()) < 0)
                return sys_error(what + ": mount " + cm->fstype + " " + name);
        } else {
            std::string src = own_dir(*cm, h.path);
            if (src.empty()) continue;
            if (mount(src.c_str(), sub.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
                return sys_error(what + ": bind " + src);
        }
        // Co-mounted controllers ("cpu,cpuacct") are also reachable by each name.
        if (name.find(',') != std::string::npos)
            for (const auto& single : split(name, ','))
                if (symlinkat(name.c_str(), top.get(), single.c_str()) < 0 && errno != EEXIST)
                    return sys_error(what + ": symlink " + single);
    }
    MountAttrChange change = attrs_from_flags(flags, mo.cleared);
    if (!ro) {
        // The binds need the per-mount flags too; the tmpfs got them at mount time.
        change.set &= ~MOUNT_ATTR_RDONLY;
        if (ctx.cgroupns || change.empty()) return ok();
    }
    // One recursive mount_setattr makes the tmpfs and every hierarchy below it read-only.
    return set_mount_attrs(top.get(), change, true, what);
}

} // namespace skiff::runtime::linux
