// The parent <-> init protocol of create, over a SOCK_SEQPACKET socketpair (one message per
// step, boundaries kept by the kernel):
//   parent: MountFd(index)*     with a user namespace: one detached idmapped mount tree per
//                               idmap/ridmap mount (its fd attached), by index in spec.mounts
//   parent: Go(state JSON)      after cgroup entry, id maps and time offsets are written
//   init:   Pid(host pid)       only when joining a pid namespace: the init forked into it,
//                               this is the process that goes on (the first one exits)
//   parent: Go(state JSON)      the state again, with that pid
//   init:   RootfsReady         mounts done, before pivot_root
//   parent: HooksDone           prestart + createRuntime hooks ran
//   init:   Ready               everything up to the exec fifo is done
// Either side may send Error(text) instead; EOF means the peer died.
#pragma once

#include <cstdint>
#include <string>

#include "fd.hpp"
#include "skiff/oci/result.hpp"

namespace skiff::runtime {

enum class SyncType : uint32_t { Go = 1, RootfsReady, HooksDone, Ready, Error, MountFd, Pid };

struct SyncMessage {
    SyncType type = SyncType::Error;
    std::string payload;
    UniqueFd fd; // an fd that came with the message (SCM_RIGHTS), close-on-exec
};

// `pass_fd` >= 0 goes along with the message (SCM_RIGHTS).
Result<void> sync_send(int fd, SyncType type, const std::string& payload = {}, int pass_fd = -1);
// Waits for one message; an Error message becomes an Error result carrying its text, EOF
// becomes `eof_text`. Interrupted waits (a termination signal) are errors too.
Result<SyncMessage> sync_recv(int fd, const std::string& eof_text);
// sync_recv that also insists on the type.
Result<std::string> sync_expect(int fd, SyncType type, const std::string& eof_text);

} // namespace skiff::runtime
