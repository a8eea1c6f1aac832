#include "idmapped_mounts.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "idmap.hpp"
#include "safe_path.hpp"
#include "sys_error.hpp"

namespace skiff::runtime::linux {

namespace {

int wait_for_pipe(void* arg) {
    const int* ends = static_cast<int*>(arg);
    close(ends[1]); // else this copy of the write end would keep the pipe open forever
    char c;
    // Returns when the creator closes its end: the namespace is then held by its fd.
    while (read(ends[0], &c, 1) < 0 && errno == EINTR) {
    }
    return 0;
}

// The "Pid:" line of a pidfd's fdinfo: the process's number in the pid namespace of /proc.
Result<pid_t> pid_in_proc(int pidfd) {
    const std::string path = "/proc/self/fdinfo/" + std::to_string(pidfd);
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return sys_error("open " + path);
    char buf[512];
    ssize_t n = read(fd.get(), buf, sizeof buf - 1);
    if (n < 0) return sys_error("read " + path);
    buf[n] = 0;
    const char* line = strstr(buf, "\nPid:");
    if (!line) return Error{path + ": no Pid line"};
    return static_cast<pid_t>(atoi(line + 5));
}

} // namespace

Result<UniqueFd> userns_with_mappings(const std::vector<oci::IdMapping>& uids,
                                      const std::vector<oci::IdMapping>& gids) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return sys_error("pipe for idmap user namespace");
    UniqueFd rd(p[0]), wr(p[1]);
    alignas(16) static char stack[16384];
    int ends[2] = {rd.get(), wr.get()};
    int pidfd = -1;
    pid_t pid = clone(wait_for_pipe, stack + sizeof stack, CLONE_NEWUSER | CLONE_PIDFD | SIGCHLD,
                      ends, &pidfd);
    if (pid < 0) return sys_error("clone user namespace for idmap");
    UniqueFd pidfd_guard(pidfd);
    auto finish = [&]() {
        wr.reset();
        while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
    };
    // In the container's init before pivot_root, /proc is still the host's and numbers
    // processes in the host's pid namespace, not in ours: ask it for the helper's number.
    auto proc_pid = pid_in_proc(pidfd);
    if (!proc_pid) {
        finish();
        return std::move(proc_pid).error().wrap("idmap user namespace");
    }
    Result<void> written = write_id_maps(*proc_pid, uids, gids, /*deny_setgroups=*/false);
    if (!written) {
        finish();
        return std::move(written).error().wrap("idmap user namespace");
    }
    int fd =
        open(("/proc/" + std::to_string(*proc_pid) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC);
    int err = errno;
    finish();
    if (fd < 0) return sys_error("open idmap user namespace", err);
    return UniqueFd(fd);
}

Result<UniqueFd> make_idmapped_tree(const oci::Mount& m, const MountOptions& mo,
                                    const std::string& source, int userns,
                                    const std::string& what) {
    UniqueFd own_userns;
    if (!m.uid_mappings.empty() || !m.gid_mappings.empty()) {
        if (m.uid_mappings.empty() || m.gid_mappings.empty())
            return Error{what + ": idmap needs both uidMappings and gidMappings"};
        own_userns = SKIFF_TRY(userns_with_mappings(m.uid_mappings, m.gid_mappings));
        userns = own_userns.get();
    }
    if (userns < 0)
        return Error{what + ": idmap needs uidMappings/gidMappings or a user namespace"};
    unsigned tree_flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
    if (mo.recursive_bind()) tree_flags |= AT_RECURSIVE;
    int tree = open_tree(AT_FDCWD, source.c_str(), tree_flags);
    if (tree < 0) return sys_error(what + ": open_tree " + source);
    UniqueFd tree_fd(tree);
    MountAttrChange change = attrs_from_flags(mo.flags & ~(MS_BIND | MS_REC), mo.cleared);
    mount_attr attr{};
    attr.attr_set = change.set | MOUNT_ATTR_IDMAP;
    attr.attr_clr = change.clr;
    attr.userns_fd = static_cast<uint64_t>(userns);
    unsigned flags = AT_EMPTY_PATH | (mo.recursive_idmap ? AT_RECURSIVE : 0);
    if (mount_setattr(tree, "", flags, &attr, sizeof attr) < 0)
        return sys_error(what + ": mount_setattr idmap");
    return tree_fd;
}

Result<void> mount_idmapped(const MountContext& ctx, size_t index, const oci::Mount& m,
                            const MountOptions& mo, const std::string& source, int target,
                            const std::string& what) {
    UniqueFd made;
    int tree = -1;
    auto given = ctx.opts.idmapped_mounts.find(index);
    if (given != ctx.opts.idmapped_mounts.end()) {
        tree = given->second;
    } else {
        UniqueFd userns;
        if (ctx.userns && m.uid_mappings.empty()) {
            userns.reset(open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC));
            if (!userns) return sys_error(what + ": open /proc/self/ns/user");
        }
        made = SKIFF_TRY(make_idmapped_tree(m, mo, source, userns.get(), what));
        tree = made.get();
    }
    if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return sys_error(what + ": move_mount");
    return ok();
}

} // namespace skiff::runtime::linux

namespace skiff::runtime::linux {

Result<std::map<size_t, int>> open_idmapped_mounts_from_parent(const std::string& userns_path, const oci::Spec& spec,
                                                               const std::string& bundle) {
    std::vector<std::pair<size_t, UniqueFd>> made;
    UniqueFd userns;
    for (size_t i = 0; i < spec.mounts.size(); i++) {
        const auto& m = spec.mounts[i];
        const bool bind = is_bind_mount(m.type, m.options);
        auto mo = parse_mount_options(m.options, bind);
        if (!mo) return std::move(mo).error().wrap("mounts[" + std::to_string(i) + "]");
        if (!mo->idmap) continue;
        if (m.type == "bind") mo->flags |= MS_BIND;
        const std::string source = bind_source(m.source, bundle);
        const std::string what = "bind mount " + source + " on " + m.destination;
        if (!bind) return Error{what + ": idmap needs a bind mount"};
        if (!userns && m.uid_mappings.empty()) {
            userns.reset(open(userns_path.c_str(), O_RDONLY | O_CLOEXEC));
            if (!userns) return sys_error(what + ": open " + userns_path);
        }
        made.emplace_back(i, SKIFF_TRY(make_idmapped_tree(m, *mo, source, userns.get(), what)));
    }
    std::map<size_t, int> out;
    for (auto& [i, fd] : made)
        out[i] = fd.release();
    return out;
}

} // namespace skiff::runtime::linux
