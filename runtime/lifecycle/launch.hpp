// The runtime side of create, shared by `create` and `run`: everything up to an init process
// that waits to be started, or nothing at all when any step fails.
#pragma once

#include <sys/types.h>

#include "container.hpp"
#include "fd.hpp"
#include "skiff/runtime/runtime.hpp"

namespace skiff::runtime {

enum class StartGate {
    Fifo, // `create`: the init blocks on exec.fifo until `start` reads it
    Sync, // `run`: the init waits for a message on the sync socket (no fifo made)
};

struct Launched {
    Container container; // locked; record saved with status created
    pid_t pid = 0;
    UniqueFd sync;           // runtime end of the sync socket (Sync gate: send Go to start)
    UniqueFd console_master; // when the caller asked to receive the pty itself
    std::vector<oci::Hook> poststart;
};

// `receive_console`: no --console-socket, the caller (foreground run) takes the pty master.
Result<Launched> launch(const Context& ctx, const CreateOptions& opts, StartGate gate,
                        bool receive_console);

// Poststart hooks after the process started; on failure the container is killed (runc).
Result<void> run_poststart(Container& c, const std::vector<oci::Hook>& hooks);

} // namespace skiff::runtime
