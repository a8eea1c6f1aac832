// Parent-side writes into a child's new namespaces: uid_map/setgroups/gid_map of a user
// namespace, timens_offsets of a time namespace.
#include "idmap.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"

extern char** environ;

namespace skiff::runtime::linux {

namespace {

Result<void> write_proc_file(pid_t pid, const char* name, const std::string& text) {
    const std::string path = "/proc/" + std::to_string(pid) + "/" + name;
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return sys_error("open " + path);
    // These files take one write holding every line.
    ssize_t n = write(fd.get(), text.data(), text.size());
    if (n < 0) return sys_error("write " + path);
    if (static_cast<size_t>(n) != text.size()) return sys_error("write " + path, EIO);
    return ok();
}

std::string map_text(const std::vector<oci::IdMapping>& maps) {
    std::string text;
    for (const auto& m : maps)
        text += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
                std::to_string(m.size) + "\n";
    return text;
}

// newuidmap/newgidmap PID ID HOSTID SIZE...: shadow's setuid helpers check /etc/subuid and
// /etc/subgid, for unprivileged users mapping more than their own id.
Result<void> run_map_helper(const char* helper, pid_t pid, const std::vector<oci::IdMapping>& maps) {
    std::vector<std::string> args = {helper, std::to_string(pid)};
    for (const auto& m : maps) {
        args.push_back(std::to_string(m.container_id));
        args.push_back(std::to_string(m.host_id));
        args.push_back(std::to_string(m.size));
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t child;
    int err = posix_spawnp(&child, helper, nullptr, nullptr, argv.data(), environ);
    if (err != 0) return sys_error(std::string("run ") + helper, err);
    int status = 0;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR) return sys_error(std::string("wait for ") + helper);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return Error{std::string(helper) + " " + std::to_string(pid) + " failed (status " +
                     std::to_string(status) + ")"};
    return ok();
}

Result<void> write_map(pid_t pid, const char* file, const char* helper,
                       const std::vector<oci::IdMapping>& maps) {
    auto written = write_proc_file(pid, file, map_text(maps));
    if (written || geteuid() == 0 || written.error().code != EPERM) return written;
    return run_map_helper(helper, pid, maps);
}

} // namespace

Result<void> write_id_maps(pid_t pid, const std::vector<oci::IdMapping>& uids,
                           const std::vector<oci::IdMapping>& gids, bool deny_setgroups) {
    SKIFF_CHECK(write_map(pid, "uid_map", "newuidmap", uids));
    if (deny_setgroups) SKIFF_CHECK(write_proc_file(pid, "setgroups", "deny"));
    return write_map(pid, "gid_map", "newgidmap", gids);
}

Result<void> write_id_mappings_from_parent(pid_t pid, const oci::Linux& linux) {
    const auto* user = linux.find_namespace("user");
    if (!user || !user->path.empty()) {
        if (!linux.uid_mappings.empty() || !linux.gid_mappings.empty())
            return Error{"linux.uidMappings: given, but the spec creates no user namespace"};
        return ok();
    }
    if (linux.uid_mappings.empty()) return Error{"linux.uidMappings: required with a new user namespace"};
    if (linux.gid_mappings.empty()) return Error{"linux.gidMappings: required with a new user namespace"};
    // An unprivileged writer must deny setgroups before gid_map; root keeps setgroups so the
    // container can set its supplementary groups. A helper (newgidmap) does this itself.
    const bool unprivileged = geteuid() != 0;
    auto uid = write_map(pid, "uid_map", "newuidmap", linux.uid_mappings);
    if (!uid) return std::move(uid).error().wrap("linux.uidMappings");
    if (unprivileged) {
        // Whether newgidmap will be needed is not known yet; "deny" is what a direct write
        // needs and what runc writes for rootless containers without the helpers.
        auto direct = write_proc_file(pid, "setgroups", "deny");
        if (!direct) return std::move(direct).error().wrap("linux.gidMappings");
    }
    auto gid = write_map(pid, "gid_map", "newgidmap", linux.gid_mappings);
    if (!gid) return std::move(gid).error().wrap("linux.gidMappings");
    return ok();
}

Result<void> write_time_offsets_from_parent(pid_t pid, const oci::Linux& linux) {
    const auto* time = linux.find_namespace("time");
    if (!time || !time->path.empty()) {
        if (!linux.time_offsets.empty())
            return Error{"linux.timeOffsets: given, but the spec creates no time namespace"};
        return ok();
    }
    std::string text;
    for (const auto& [clock, off] : linux.time_offsets) {
        if (clock != "monotonic" && clock != "boottime")
            return Error{"linux.timeOffsets: unknown clock \"" + clock +
                         "\" (monotonic or boottime)"};
        if (off.nanosecs >= 1000000000u)
            return Error{"linux.timeOffsets." + clock + ".nanosecs: must be below 1e9"};
        text += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
    }
    if (text.empty()) return ok();
    auto written = write_proc_file(pid, "timens_offsets", text);
    if (!written) return std::move(written).error().wrap("linux.timeOffsets");
    return ok();
}

} // namespace skiff::runtime::linux
