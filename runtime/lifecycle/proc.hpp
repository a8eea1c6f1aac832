// What the runtime reads from /proc about a container's processes.
#pragma once

#include <sys/types.h>

#include <cstdint>
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

} // namespace skiff::runtime
