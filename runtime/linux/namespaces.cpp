// Namespaces the spec creates (clone flags) or joins (setns by path).
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

#include "linux.hpp"
#include "sys_error.hpp"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace skiff::runtime::linux {

namespace {

struct NsType {
    const char* name;
    int flag;
};

constexpr NsType kTypes[] = {
    {"pid", CLONE_NEWPID},   {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
    {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS},     {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

const char* type_name(int flag) {
    for (const auto& t : kTypes)
        if (t.flag == flag) return t.name;
    return "?";
}

Result<int> type_flag(const oci::Namespace& ns, size_t i) {
    for (const auto& t : kTypes)
        if (ns.type == t.name) return t.flag;
    return Error{"linux.namespaces[" + std::to_string(i) + "].type: unknown namespace type \"" +
                 ns.type + "\""};
}

// Order of joining: user first (it grants the rights to join the others), mount last (its
// paths may stop resolving the others' /proc paths), the rest as given.
int join_rank(int flag) {
    if (flag == CLONE_NEWUSER) return 0;
    if (flag == CLONE_NEWNS) return 2;
    return 1;
}

} // namespace

Result<int> clone_flags(const oci::Linux& linux) {
    int flags = 0, seen = 0;
    for (size_t i = 0; i < linux.namespaces.size(); i++) {
        const auto& ns = linux.namespaces[i];
        int flag = SKIFF_TRY(type_flag(ns, i));
        if (seen & flag)
            return Error{"linux.namespaces[" + std::to_string(i) + "]: namespace \"" + ns.type +
                         "\" listed twice"};
        seen |= flag;
        if (ns.path.empty()) flags |= flag;
    }
    return flags;
}

JoinList::JoinList(JoinList&& other) noexcept
    : fds(std::move(other.fds)), paths(std::move(other.paths)) {
    other.fds.clear();
}

JoinList& JoinList::operator=(JoinList&& other) noexcept {
    if (this != &other) {
        for (auto [fd, type] : fds) close(fd);
        fds = std::move(other.fds);
        paths = std::move(other.paths);
        other.fds.clear();
    }
    return *this;
}

JoinList::~JoinList() {
    for (auto [fd, type] : fds) close(fd);
}

Result<JoinList> open_namespaces_to_join(const oci::Linux& linux) {
    SKIFF_TRY(clone_flags(linux)); // unknown and duplicate types
    struct Entry {
        int flag;
        const std::string* path;
    };
    std::vector<Entry> entries;
    for (size_t i = 0; i < linux.namespaces.size(); i++) {
        const auto& ns = linux.namespaces[i];
        if (ns.path.empty()) continue;
        entries.push_back({SKIFF_TRY(type_flag(ns, i)), &ns.path});
    }
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return join_rank(a.flag) < join_rank(b.flag);
    });
    JoinList list;
    for (const auto& e : entries) {
        const std::string what = std::string(type_name(e.flag)) + " namespace " + *e.path;
        int fd = open(e.path->c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return sys_error("open " + what);
        list.fds.emplace_back(fd, e.flag);
        list.paths.push_back(*e.path);
        // A wrong file fails here, in the parent, with a clear message instead of an EINVAL
        // from setns in the child.
        int actual = ioctl(fd, NS_GET_NSTYPE);
        if (actual < 0) return sys_error(what + ": not a namespace file");
        if (actual != e.flag)
            return Error{what + ": is a " + type_name(actual) + " namespace, not " +
                         type_name(e.flag)};
    }
    return list;
}

Result<void> join_namespaces(const JoinList& list) {
    for (size_t i = 0; i < list.fds.size(); i++) {
        auto [fd, type] = list.fds[i];
        const std::string path = i < list.paths.size() ? list.paths[i] : "fd " + std::to_string(fd);
        if (setns(fd, type) < 0)
            return sys_error(std::string("setns ") + type_name(type) + " namespace " + path);
    }
    return ok();
}

} // namespace skiff::runtime::linux
