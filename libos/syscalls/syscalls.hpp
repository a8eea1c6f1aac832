// Registration hooks of the syscall families, one file each.
#pragma once

#include <stdint.h>

namespace libos {

void register_file_syscalls();
void register_memory_syscalls();
void register_process_syscalls();
void register_time_syscalls();
void register_signal_syscalls();
void register_info_syscalls();

// syscalls/names.cpp: "openat" for 257, "?" when unknown; for the debug log.
const char* syscall_name(uint64_t nr);

// syscalls/signals.cpp: the app gets `sig` now (from a fault, kill or raise): its disposition
// decides; default actions end the VM with 128 + sig.
void deliver_signal(int sig);

} // namespace libos
