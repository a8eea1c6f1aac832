#include "devices.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "safe_path.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"

namespace skiff::runtime::linux {

namespace {

struct Node {
    std::string path; // clean, absolute in the container
    mode_t type = S_IFCHR;
    unsigned major = 0, minor = 0;
    mode_t perm = 0666;
    uid_t uid = 0;
    gid_t gid = 0;
};

Result<Node> node_from_spec(const oci::Device& d, size_t i) {
    const std::string field = "linux.devices[" + std::to_string(i) + "]";
    Node n;
    if (d.path.empty() || d.path[0] != '/')
        return Error{field + ".path: must be an absolute path, got \"" + d.path + "\""};
    n.path = clean_path(d.path);
    if (n.path == "/") return Error{field + ".path: cannot create a device over the root"};
    if (d.type == "c" || d.type == "u") n.type = S_IFCHR;
    else if (d.type == "b") n.type = S_IFBLK;
    else if (d.type == "p") n.type = S_IFIFO;
    else return Error{field + ".type: unknown device type \"" + d.type + "\""};
    if (d.major < 0 || d.minor < 0 || d.major > 0xfff || d.minor > 0xfffff)
        return Error{field + ": major/minor out of range"};
    n.major = static_cast<unsigned>(d.major);
    n.minor = static_cast<unsigned>(d.minor);
    if (d.file_mode) n.perm = *d.file_mode & 07777;
    n.uid = d.uid.value_or(0);
    n.gid = d.gid.value_or(0);
    return n;
}

// The host's own node bound onto an empty file: what a user namespace may do instead of mknod.
Result<void> bind_node(int parent, const Node& n) {
    const std::string base = base_name(n.path);
    UniqueFd file(openat(parent, base.c_str(), O_CREAT | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0000));
    if (!file) return sys_error("create " + n.path + " for device bind");
    if (mount(n.path.c_str(), proc_fd_path(file.get()).c_str(), nullptr, MS_BIND, nullptr) < 0)
        return sys_error("bind mount device " + n.path + " on " + n.path);
    return ok();
}

Result<void> make_node(int parent, const Node& n, bool bind) {
    if (bind) return bind_node(parent, n);
    const std::string base = base_name(n.path);
    if (mknodat(parent, base.c_str(), n.type | n.perm, makedev(n.major, n.minor)) < 0) {
        if (errno == EEXIST) return ok(); // the image brought its own (runc keeps it too)
        if (errno == EPERM) return bind_node(parent, n);
        return sys_error("mknod " + n.path);
    }
    if ((n.uid != 0 || n.gid != 0) &&
        fchownat(parent, base.c_str(), n.uid, n.gid, AT_SYMLINK_NOFOLLOW) < 0)
        return sys_error("chown " + n.path);
    return ok();
}

} // namespace

bool needs_dev_setup(const oci::Spec& spec) {
    for (const auto& m : spec.mounts) {
        if (clean_path(m.destination) != "/dev") continue;
        if (is_bind_mount(m.type, m.options)) return false;
    }
    return true;
}

Result<void> create_dev(const MountContext& ctx) {
    static const Node kDefaults[] = {
        {"/dev/null", S_IFCHR, 1, 3},    {"/dev/zero", S_IFCHR, 1, 5},
        {"/dev/full", S_IFCHR, 1, 7},    {"/dev/random", S_IFCHR, 1, 8},
        {"/dev/urandom", S_IFCHR, 1, 9}, {"/dev/tty", S_IFCHR, 5, 0},
    };
    std::vector<Node> nodes;
    const std::vector<oci::Device> none;
    const auto& listed = ctx.spec.linux_ ? ctx.spec.linux_->devices : none;
    for (size_t i = 0; i < listed.size(); i++) nodes.push_back(SKIFF_TRY(node_from_spec(listed[i], i)));
    std::vector<Node> all;
    for (const auto& d : kDefaults) {
        bool overridden = false;
        for (const auto& n : nodes) overridden = overridden || n.path == d.path;
        if (!overridden) all.push_back(d);
    }
    all.insert(all.end(), nodes.begin(), nodes.end());

    UniqueFd dev = SKIFF_TRY(mkdir_all_in_root(ctx.root, "/dev"));
    // mknod's modes are exact only without a umask.
    const mode_t old_umask = umask(0);
    Result<void> made = ok();
    for (const auto& n : all) {
        UniqueFd other;
        int parent = dev.get();
        if (parent_path(n.path) != "/dev") {
            auto p = mkdir_all_in_root(ctx.root, parent_path(n.path));
            if (!p) {
                made = std::move(p).error();
                break;
            }
            other = std::move(*p);
            parent = other.get();
        }
        made = make_node(parent, n, ctx.userns);
        if (!made) break;
    }
    umask(old_umask);
    SKIFF_CHECK(std::move(made));

    // /dev/ptmx is the devpts instance's own (mounted with newinstance at /dev/pts).
    if (symlinkat("pts/ptmx", dev.get(), "ptmx") < 0) {
        if (errno != EEXIST) return sys_error("symlink /dev/ptmx");
        if (unlinkat(dev.get(), "ptmx", 0) < 0 || symlinkat("pts/ptmx", dev.get(), "ptmx") < 0)
            return sys_error("replace /dev/ptmx with a symlink");
    }
    static const std::pair<const char*, const char*> kLinks[] = {
        {"/proc/self/fd", "fd"},
        {"/proc/self/fd/0", "stdin"},
        {"/proc/self/fd/1", "stdout"},
        {"/proc/self/fd/2", "stderr"},
    };
    for (auto [target, name] : kLinks)
        if (symlinkat(target, dev.get(), name) < 0 && errno != EEXIST)
            return sys_error(std::string("symlink /dev/") + name);
    // As runc: /dev/core where the kernel has a core image to point at.
    if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dev.get(), "core") < 0 &&
        errno != EEXIST)
        return sys_error("symlink /dev/core");
    return ok();
}

Result<void> bind_console(int root, const std::string& pty) {
    UniqueFd console;
    if (root >= 0) {
        console = SKIFF_TRY(create_file_in_root(root, "/dev/console", 0666));
    } else {
        console.reset(open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (!console && errno == ENOENT)
            console.reset(open("/dev/console", O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC,
                               0666));
        if (!console) return sys_error("create /dev/console");
    }
    if (mount(pty.c_str(), proc_fd_path(console.get()).c_str(), nullptr, MS_BIND, nullptr) < 0)
        return sys_error("bind mount " + pty + " on /dev/console");
    return ok();
}

} // namespace skiff::runtime::linux
