// SELinux process label (process.selinuxLabel, exec --process-label): written to the thread's
// attr/exec so that it applies from the next execve on, as runc's SetExecLabel does. The same
// file is AppArmor's interface on AppArmor hosts, so it is only written when SELinux is on.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "security/security.hpp"

namespace skiff::runtime::security {

bool selinux_enabled() {
    // selinuxfs is registered only when SELinux is enabled at boot; /proc/filesystems is
    // readable in the container too, where /sys/fs/selinux is not mounted.
    int fd = ::open("/proc/filesystems", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[4096];
    std::string text;
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, size_t(n));
    ::close(fd);
    return text.find("\tselinuxfs\n") != std::string::npos;
}

Result<void> set_selinux_label(const std::string& label) {
    if (label.empty()) return ok();
    if (!selinux_enabled())
        return Error{"selinux label \"" + label + "\" set but SELinux is not enabled"};
    int fd = ::open("/proc/thread-self/attr/exec", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno_error("open /proc/thread-self/attr/exec");
    ssize_t n;
    do n = ::write(fd, label.data(), label.size());
    while (n < 0 && errno == EINTR);
    int err = errno;
    ::close(fd);
    if (n < 0) return errno_error("set selinux label \"" + label + "\"", err);
    return ok();
}

} // namespace skiff::runtime::security
