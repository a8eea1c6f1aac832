// runc's seccomp-agent protocol (runtime-spec config-linux.md "listenerPath"): connect to the
// agent's unix stream socket and send, in one message, the ContainerProcessState JSON with the
// notify fd as SCM_RIGHTS; "fds" names each passed fd by its position.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "linux/scm_rights.hpp"
#include "security/security.hpp"
#include "skiff/oci/state.hpp"

namespace skiff::runtime::security {

Result<void> send_seccomp_listener(const SeccompProgram& program, int listener_fd,
                                   const std::string& state_json, pid_t pid) {
    const std::string& path = program.listener_path;
    const std::string where = "seccomp agent " + path;
    if (path.empty()) return Error{"linux.seccomp.listenerPath: missing (a rule uses SCMP_ACT_NOTIFY)"};
    if (listener_fd < 0) return Error{where + ": no listener fd to send"};

    nlohmann::ordered_json state = nlohmann::ordered_json::parse(state_json, nullptr, false);
    if (state.is_discarded() || !state.is_object())
        return Error{where + ": the container state to send is not a JSON object"};
    if (pid == 0 && state.contains("pid") && state["pid"].is_number_integer())
        pid = state["pid"].get<pid_t>();

    nlohmann::ordered_json msg;
    msg["ociVersion"] = oci::kSpecVersion;
    msg["fds"] = {"seccompFd"};
    msg["pid"] = pid;
    if (!program.listener_metadata.empty()) msg["metadata"] = program.listener_metadata;
    msg["state"] = std::move(state);
    const std::string text = msg.dump();

    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path)
        return Error{"linux.seccomp.listenerPath: " + path + " is longer than a unix socket path (" +
                     std::to_string(sizeof addr.sun_path - 1) + " bytes)"};
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);

    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return errno_error(where + ": socket");
    struct Closer {
        int fd;
        ~Closer() { close(fd); }
    } closer{sock};
    if (connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return errno_error(where + ": connect");

    iovec iov{const_cast<char*>(text.data()), text.size()};
    msghdr msgh{};
    msgh.msg_iov = &iov;
    msgh.msg_iovlen = 1;
    linux::FdControl control;
    control.attach(msgh, listener_fd);

    // The fd travels with the first byte; the rest of a partial write goes out plainly.
    size_t sent = 0;
    while (sent < text.size()) {
        ssize_t n = sent == 0 ? sendmsg(sock, &msgh, MSG_NOSIGNAL)
                              : send(sock, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_error(where + ": sendmsg");
        sent += static_cast<size_t>(n);
    }
    return ok();
}

} // namespace skiff::runtime::security
