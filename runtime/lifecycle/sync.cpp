#include "sync.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "interrupt.hpp"

namespace skiff::runtime {

Result<void> sync_send(int fd, SyncType type, const std::string& payload, int pass_fd) {
    uint32_t t = uint32_t(type);
    iovec iov[2] = {{&t, sizeof t}, {const_cast<char*>(payload.data()), payload.size()}};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = payload.empty() ? 1 : 2;
    alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))] = {};
    if (pass_fd >= 0) {
        msg.msg_control = cbuf;
        msg.msg_controllen = sizeof cbuf;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &pass_fd, sizeof pass_fd);
    }
    for (;;) {
        if (::sendmsg(fd, &msg, MSG_NOSIGNAL) >= 0) return ok();
        if (errno != EINTR) return errno_error("sync send");
    }
}

Result<SyncMessage> sync_recv(int fd, const std::string& eof_text) {
    std::vector<char> buf(1 << 16);
    for (;;) {
        alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))] = {};
        iovec iov{buf.data(), buf.size()};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cbuf;
        msg.msg_controllen = sizeof cbuf;
        ssize_t n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0) {
            if (errno == EINTR) {
                if (int sig = interrupted())
                    return Error{"interrupted by signal " + std::to_string(sig), EINTR};
                continue;
            }
            if (errno == ECONNRESET) return Error{eof_text};
            return errno_error("sync receive");
        }
        if (n == 0) return Error{eof_text};
        if (size_t(n) < sizeof(uint32_t)) return Error{"sync receive: short message"};
        uint32_t t;
        std::memcpy(&t, buf.data(), sizeof t);
        SyncMessage m{SyncType(t), std::string(buf.data() + sizeof t, size_t(n) - sizeof t), {}};
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
            int passed;
            std::memcpy(&passed, CMSG_DATA(c), sizeof passed);
            m.fd.reset(passed);
        }
        if (m.type == SyncType::Error) return Error{m.payload};
        return m;
    }
}

Result<std::string> sync_expect(int fd, SyncType type, const std::string& eof_text) {
    auto m = SKIFF_TRY(sync_recv(fd, eof_text));
    if (m.type != type)
        return Error{"sync: expected message " + std::to_string(uint32_t(type)) + ", got " +
                     std::to_string(uint32_t(m.type))};
    return std::move(m.payload);
}

} // namespace skiff::runtime
