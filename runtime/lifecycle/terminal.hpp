// The container's console: a pty created inside the container (after /dev/pts is mounted, as
// runc does), its master sent over the --console-socket with SCM_RIGHTS, its slave bound on
// /dev/console and made the process's stdio and controlling terminal. `run` in the foreground
// without a console socket receives the master itself and proxies it (wait.hpp).
#pragma once

#include <optional>
#include <string>

#include "fd.hpp"
#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::runtime {

Result<UniqueFd> connect_console_socket(const std::string& path);
Result<void> send_fd(int sock, int fd, const std::string& name);
Result<UniqueFd> recv_fd(int sock);

struct Pty {
    UniqueFd master, slave;
    std::string slave_path;
};
// Opens a new pty from /dev/ptmx of the current mount namespace.
Result<Pty> open_pty(const std::optional<oci::ConsoleSize>& size);
// In the init after pivot_root: binds the slave on /dev/console.
Result<void> mount_console(const std::string& slave_path);
// Makes the slave stdio and the controlling terminal (the caller has called setsid()).
Result<void> attach_stdio_to_pty(int slave);

} // namespace skiff::runtime
