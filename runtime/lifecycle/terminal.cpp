#include "terminal.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "linux/scm_rights.hpp"

namespace skiff::runtime {

Result<UniqueFd> connect_console_socket(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path)
        return Error{"console socket path too long: " + path};
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return errno_error("socket");
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return errno_error("connect console socket " + path);
    return fd;
}

Result<void> send_fd(int sock, int fd, const std::string& name) {
    std::string data = name.empty() ? std::string(1, '\0') : name;
    iovec iov{data.data(), data.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    linux::FdControl control;
    control.attach(msg, fd);
    for (;;) {
        if (::sendmsg(sock, &msg, MSG_NOSIGNAL) >= 0) return ok();
        if (errno != EINTR) return errno_error("send console fd");
    }
}

Result<UniqueFd> recv_fd(int sock) {
    char data[4096];
    iovec iov{data, sizeof data};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    linux::FdControl control;
    control.expect(msg);
    ssize_t n;
    do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) return errno_error("receive console fd");
    int fd = linux::FdControl::received(msg);
    if (fd < 0) return Error{"receive console fd: no file descriptor in message"};
    return UniqueFd(fd);
}

Result<Pty> open_pty(const std::optional<oci::ConsoleSize>& size) {
    Pty p;
    p.master.reset(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!p.master) return errno_error("open /dev/ptmx");
    if (::unlockpt(p.master.get()) != 0) return errno_error("unlockpt");
    char name[128];
    if (::ptsname_r(p.master.get(), name, sizeof name) != 0) return errno_error("ptsname");
    p.slave_path = name;
    p.slave.reset(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!p.slave) return errno_error("open " + p.slave_path);
    if (size && (size->height || size->width)) {
        winsize ws{};
        ws.ws_row = static_cast<unsigned short>(size->height);
        ws.ws_col = static_cast<unsigned short>(size->width);
        ::ioctl(p.master.get(), TIOCSWINSZ, &ws);
    }
    return p;
}

Result<void> attach_stdio_to_pty(int slave) {
    if (::ioctl(slave, TIOCSCTTY, 0) != 0) return errno_error("ioctl TIOCSCTTY");
    for (int i = 0; i < 3; ++i)
        if (::dup2(slave, i) < 0) return errno_error("dup2 console");
    return ok();
}

} // namespace skiff::runtime
