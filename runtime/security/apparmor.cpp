// AppArmor: the profile is queued for the next execve, as runc's ApplyProfile does, so the
// runtime's own remaining setup is not confined by it.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "security/security.hpp"

namespace skiff::runtime::security {

Result<void> set_apparmor_profile(const std::string& profile) {
    if (profile.empty()) return ok();
    if (::access("/sys/module/apparmor/parameters/enabled", F_OK) != 0)
        return Error{"apparmor profile \"" + profile + "\" set but AppArmor is not enabled"};
    std::string cmd = "exec " + profile;
    int fd = ::open("/proc/self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
    if (fd < 0) fd = ::open("/proc/self/attr/exec", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno_error("open /proc/self/attr/exec");
    ssize_t n = ::write(fd, cmd.data(), cmd.size());
    int err = errno;
    ::close(fd);
    if (n < 0) return errno_error("set apparmor profile " + profile, err);
    return ok();
}

} // namespace skiff::runtime::security
