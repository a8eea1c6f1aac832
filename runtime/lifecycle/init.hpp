// The container's init process: the child of the one clone() in create. It runs in the new
// namespaces, prepares the rootfs, takes its confinement and finally becomes the container's
// process through the handler. Never returns; errors go back to the runtime over the sync
// socket as one-line messages.
#pragma once

#include <string>

#include "cgroups/cgroup.hpp"
#include "handler.hpp"
#include "linux/linux.hpp"
#include "security/security.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::runtime {

struct InitArgs {
    const oci::Spec* spec = nullptr;
    std::string id;
    Handler* handler = nullptr;
    const linux::JoinList* join = nullptr;
    const security::SeccompProgram* seccomp = nullptr; // compiled by the runtime, or null
    linux::RootfsOptions rootfs;
    int sync_fd = -1;       // the init's end of the sync socket
    int console_fd = -1;    // where to send the pty master (console socket), or -1
    int fifo_fd = -1;       // O_PATH exec fifo: wait for `start` on it; -1: wait on sync_fd
    int preserve_fds = 0;   // fds 3..3+n-1 pass through (LISTEN_FDS + --preserve-fds)
    int close_fds[4] = {-1, -1, -1, -1}; // runtime-only fds (lock, its sync end)
    cgroups::SelfJoin* cgroup_join = nullptr; // joined first thing, before Go
    bool cloned_into = false;   // clone3 already put us into the cgroup2 part
    bool new_cgroup_ns = false; // unshared once the cgroup is joined
    bool new_user_ns = false;
    bool joins_pid_ns = false; // setns(pid) moves only children: fork once more after joining
    // Namespaces a user namespace joined by path must own: the init unshares them after joining
    // it (as runc's nsexec does), instead of the clone creating them in ours.
    int unshare_after_join = 0;
    bool joins_user_ns = false; // become its root (uid/gid 0 there) once joined
    bool no_new_keyring = false;
};

[[noreturn]] void init_main(const InitArgs& args);

// Sent by `run` on the sync socket instead of the fifo: go ahead and exec.
inline constexpr const char* kStartPayload = "start";

} // namespace skiff::runtime
