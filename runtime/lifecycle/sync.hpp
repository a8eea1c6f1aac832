// The parent <-> init protocol of create, over a SOCK_SEQPACKET socketpair (one message per
// step, boundaries kept by the kernel):
//   parent: Go(state JSON)      after cgroup entry, id maps and time offsets are written
//   init:   RootfsReady         mounts done, before pivot_root
//   parent: HooksDone           prestart + createRuntime hooks ran
//   init:   Ready               everything up to the exec fifo is done
// Either side may send Error(text) instead; EOF means the peer died.
#pragma once

#include <cstdint>
#include <string>

#include "skiff/oci/result.hpp"

namespace skiff::runtime {

enum class SyncType : uint32_t { Go = 1, RootfsReady, HooksDone, Ready, Error };

struct SyncMessage {
    SyncType type = SyncType::Error;
    std::string payload;
};

Result<void> sync_send(int fd, SyncType type, const std::string& payload = {});
// Waits for one message; an Error message becomes an Error result carrying its text, EOF
// becomes `eof_text`. Interrupted waits (a termination signal) are errors too.
Result<SyncMessage> sync_recv(int fd, const std::string& eof_text);
// sync_recv that also insists on the type.
Result<std::string> sync_expect(int fd, SyncType type, const std::string& eof_text);

} // namespace skiff::runtime
