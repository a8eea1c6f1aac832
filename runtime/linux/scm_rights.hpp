// One file descriptor passed along a unix socket message (SCM_RIGHTS): the control buffer for
// sendmsg/recvmsg, shared by the sync protocol, the console socket and the seccomp agent's.
// Header-only: the security part uses it without linking the linux one.
#pragma once

#include <sys/socket.h>

#include <cstring>

namespace skiff::runtime::linux {

struct FdControl {
    alignas(cmsghdr) char buf[CMSG_SPACE(sizeof(int))] = {};

    // Attaches `fd` to an outgoing message; nothing for fd < 0.
    void attach(msghdr& msg, int fd) {
        if (fd < 0) return;
        msg.msg_control = buf;
        msg.msg_controllen = sizeof buf;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    // Makes room in an incoming message for one fd.
    void expect(msghdr& msg) {
        msg.msg_control = buf;
        msg.msg_controllen = sizeof buf;
    }
    // The fd a received message carried, or -1 (the caller owns it).
    static int received(msghdr& msg) {
        int fd = -1;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
        return fd;
    }
};

} // namespace skiff::runtime::linux
