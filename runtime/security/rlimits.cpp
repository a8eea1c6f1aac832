// process.rlimits: every RLIMIT_* the kernel has, set with prlimit so the parent can also set
// them on the child (runc's way) and the child on itself (pid 0).
#include <sys/resource.h>

#include <array>
#include <string_view>

#include "security/security.hpp"

namespace skiff::runtime::security {
namespace {

struct RlimitName {
    std::string_view name;
    int resource;
};

constexpr std::array<RlimitName, 16> kRlimits{{
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
}};

int resolve(std::string_view name) {
    for (const auto& r : kRlimits)
        if (r.name == name) return r.resource;
    return -1;
}

} // namespace

Result<void> apply_rlimits(const std::vector<oci::Rlimit>& rlimits, pid_t pid) {
    // Resolve and check all entries before touching the process: a bad entry must not leave
    // the earlier ones applied.
    std::vector<int> resources;
    resources.reserve(rlimits.size());
    for (size_t i = 0; i < rlimits.size(); ++i) {
        const auto& r = rlimits[i];
        const std::string where = "process.rlimits[" + std::to_string(i) + "]";
        int res = resolve(r.type);
        if (res < 0) return Error{where + ".type: unknown rlimit \"" + r.type + "\""};
        if (r.soft > r.hard)
            return Error{where + ": soft limit " + std::to_string(r.soft) +
                         " is above hard limit " + std::to_string(r.hard) + " (" + r.type + ")"};
        resources.push_back(res);
    }
    for (size_t i = 0; i < rlimits.size(); ++i) {
        const auto& r = rlimits[i];
        struct rlimit64 lim{static_cast<rlim64_t>(r.soft), static_cast<rlim64_t>(r.hard)};
        if (prlimit64(pid, static_cast<enum __rlimit_resource>(resources[i]), &lim, nullptr) != 0)
            return errno_error("setrlimit " + r.type + " (soft " + std::to_string(r.soft) +
                               ", hard " + std::to_string(r.hard) + ")");
    }
    return ok();
}

} // namespace skiff::runtime::security
