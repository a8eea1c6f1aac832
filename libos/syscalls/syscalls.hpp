// Registration hooks of the syscall families, one file each.
#pragma once

#include <stdint.h>

#include "libos.hpp"

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

// A signal caused by this syscall (SIGPIPE for a write to a broken pipe): returns what the syscall
// must return (the frame may now point at a handler).
void raise_in_syscall(SyscallFrame& f, int sig, int64_t result);

// A fault in the app the VMM diverted here (boot->fault_signal): the app's handler runs if it
// has one and the signal is not blocked; otherwise the app ends with 128 + signal, as on Linux.
void take_fault(SyscallFrame& f);

// A host call came back EINTR because the VMM got a signal for the app. none: every such signal
// is ignored (forgotten now): retry the call; restart: a handler with SA_RESTART will run: re-issue
// the syscall after it; fail: the app sees EINTR (or ends, for a default action).
enum class Interrupt { none, restart, fail };
Interrupt interrupted_syscall_action();

// syscalls/seccomp.cpp: the container's seccomp profile (boot->flags & SKIFF_BOOT_SECCOMP) says
// this syscall must not run: true, with f.rax its result or the app sent to its SIGSYS handler.
bool seccomp_blocks(SyscallFrame& f, uint64_t nr);
// SECCOMP_RET_TRAP: SIGSYS with si_code SYS_SECCOMP, si_errno `data`, the call's address, number
// and arch; forced to its default action (the app ends) when blocked, ignored or unhandled.
void raise_seccomp_trap(SyscallFrame& f, uint64_t nr, uint32_t data);

// Signals the VMM received (boot->pending_signals): delivered as if sent at this point.
void take_external_signals(SyscallFrame& f);
// True once after rt_sigreturn restored a context whose rcx/r11 must be restored too.
int full_resume_requested();

} // namespace libos
