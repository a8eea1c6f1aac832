// linux.sysctl: kernel parameters that live in the container's own namespaces.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux.hpp"
#include "sys_error.hpp"
#include "unique_fd.hpp"

namespace skiff::runtime::linux {

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// The ipc namespace's parameters (runc's list).
bool is_ipc_key(const std::string& key) {
    static const char* kKeys[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                  "kernel.sem",    "kernel.shmall", "kernel.shmmax",
                                  "kernel.shmmni", "kernel.shm_rmid_forced"};
    for (auto k : kKeys)
        if (key == k) return true;
    return starts_with(key, "fs.mqueue.");
}

// Keys use dots ("net.ipv4.ip_forward") or, as sysctl(8) allows, slashes, in which case dots
// are part of names ("net/ipv4/conf/eth0.100/forwarding").
Result<std::string> key_path(const std::string& key) {
    std::string rel = key;
    if (rel.find('/') == std::string::npos)
        for (auto& c : rel)
            if (c == '.') c = '/';
    size_t i = 0;
    while (i <= rel.size()) {
        size_t j = rel.find('/', i);
        if (j == std::string::npos) j = rel.size();
        std::string part = rel.substr(i, j - i);
        if (part.empty() || part == "." || part == "..")
            return Error{"linux.sysctl: invalid key \"" + key + "\""};
        i = j + 1;
    }
    return "/proc/sys/" + rel;
}

// Whether a joined network namespace is the runtime's own (then net.* would change the host).
Result<bool> is_own_netns(const std::string& path) {
    struct stat mine{}, theirs{};
    if (stat("/proc/self/ns/net", &mine) < 0) return sys_error("stat /proc/self/ns/net");
    if (stat(path.c_str(), &theirs) < 0) return sys_error("stat network namespace " + path);
    return mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino;
}

} // namespace

Result<void> validate_sysctl(const oci::Spec& spec) {
    if (!spec.linux_) return ok();
    const auto& linux = *spec.linux_;
    for (const auto& [given, value] : linux.sysctl) {
        const std::string what = "linux.sysctl \"" + given + "\"";
        SKIFF_TRY(key_path(given));
        // Slash-separated keys are checked in their dotted form.
        std::string key = given;
        if (key.find('/') != std::string::npos)
            for (auto& c : key) c = c == '/' ? '.' : c;
        if (is_ipc_key(key)) {
            if (linux.has_namespace("ipc")) continue;
            return Error{what + ": needs an ipc namespace"};
        }
        if (starts_with(key, "net.")) {
            const auto* net = linux.find_namespace("network");
            if (!net) return Error{what + ": needs a network namespace"};
            if (net->path.empty()) continue;
            if (SKIFF_TRY(is_own_netns(net->path)))
                return Error{what + ": the joined network namespace is the host's"};
            continue;
        }
        if (key == "kernel.domainname") {
            if (linux.has_namespace("uts")) continue;
            return Error{what + ": needs a uts namespace"};
        }
        if (key == "kernel.hostname") {
            if (!linux.has_namespace("uts")) return Error{what + ": needs a uts namespace"};
            return Error{what + ": conflicts with the hostname field; set that instead"};
        }
        return Error{what + ": not in a namespace of the container's own"};
    }
    return ok();
}

Result<void> apply_sysctl(const std::map<std::string, std::string>& sysctl) {
    for (const auto& [key, value] : sysctl) {
        const std::string path = SKIFF_TRY(key_path(key));
        const std::string what = "linux.sysctl \"" + key + "\"";
        UniqueFd fd(open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
        if (!fd) return sys_error(what + ": open " + path);
        if (write(fd.get(), value.data(), value.size()) < 0)
            return sys_error(what + ": write \"" + value + "\"");
    }
    return ok();
}

Result<void> apply_sysctl(const oci::Spec& spec) {
    SKIFF_CHECK(validate_sysctl(spec));
    if (!spec.linux_) return ok();
    return apply_sysctl(spec.linux_->sysctl);
}

} // namespace skiff::runtime::linux
