// Sequential reads and writes (the app's stdio, pipes) and the two terminal queries the guest
// forwards. Data moves straight between the host fd and guest pages.
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "hypercalls/core.hpp"

namespace skiff::vmm {
namespace {

int64_t hc_read(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_io*>(r);
    const int fd = host_fd(g, req->handle);
    if (fd < 0) return -EBADF;
    uint8_t* buf = guest_buffer(g, req->buf, req->len);
    if (!buf) return -EFAULT;
    ssize_t n;
    do n = ::read(fd, buf, req->len);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

int64_t hc_write(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_io*>(r);
    const int fd = host_fd(g, req->handle);
    if (fd < 0) return -EBADF;
    const uint8_t* buf = guest_buffer(g, req->buf, req->len);
    if (!buf) return -EFAULT;
    ssize_t n;
    do n = ::write(fd, buf, req->len);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

int64_t hc_tty(Guest& g, void* r) {
    auto* req = static_cast<skiff_hc_tty*>(r);
    const int fd = host_fd(g, req->handle);
    if (fd < 0) return -EBADF;
    uint64_t size;
    switch (req->request) {
    case TCGETS: size = 36; break; // the kernel's struct termios
    case TIOCGWINSZ: size = sizeof(winsize); break;
    default: return -ENOTTY;
    }
    uint8_t* buf = guest_buffer(g, req->buf, size);
    if (!buf) return -EFAULT;
    return ioctl(fd, req->request, buf) == 0 ? 0 : -errno;
}

} // namespace

void register_stdio_hypercalls(Hypercalls& h) {
    h.add(SKIFF_HC_READ, {"read", sizeof(skiff_hc_io), hc_read});
    h.add(SKIFF_HC_WRITE, {"write", sizeof(skiff_hc_io), hc_write});
    h.add(SKIFF_HC_TTY, {"tty", sizeof(skiff_hc_tty), hc_tty});
}

} // namespace skiff::vmm
