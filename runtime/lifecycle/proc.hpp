// What the runtime reads from /proc about a container's processes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>

namespace skiff::runtime {

struct ProcStat {
    char state = '?';        // R S D Z T X ...
    pid_t ppid = 0;
    uint64_t start_time = 0; // field 22, clock ticks since boot
};

// nullopt when the process does not exist.
std::optional<ProcStat> read_proc_stat(pid_t pid);

// True when `pid` is the process that was started at `start_time` and is not a zombie.
bool process_alive(pid_t pid, uint64_t start_time);

// Polls `done` until it holds (true) or timeout_ms pass (false): every 0.5 ms at first, backing
// off to every 10 ms. For what SIGKILL makes happen soon but not at once; on a loaded host
// "soon" can be seconds.
bool poll_until(const std::function<bool()>& done, int timeout_ms);

} // namespace skiff::runtime
