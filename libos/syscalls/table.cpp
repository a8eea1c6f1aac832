// The one syscall dispatch table. Each syscalls/<family>.cpp registers its handlers; a number
// nobody registered returns -ENOSYS and is named in the VMM's --debug log, once per number.
#include <asm/unistd_64.h>

#include "libos.hpp"
#include "syscalls/syscalls.hpp"

namespace libos {
namespace {

constexpr unsigned kMaxSyscall = 512;
SyscallFn table[kMaxSyscall];
bool reported[kMaxSyscall];

} // namespace

void register_syscall(unsigned nr, SyscallFn fn) {
    if (nr < kMaxSyscall) table[nr] = fn;
}

void syscalls_init() {
    register_file_syscalls();
    register_memory_syscalls();
    register_process_syscalls();
    register_time_syscalls();
    register_signal_syscalls();
    register_info_syscalls();
}

} // namespace libos

// Returns nonzero when the app must be resumed with every register from the frame (after
// rt_sigreturn), zero for the usual syscall return (rcx and r11 clobbered).
extern "C" int libos_syscall(libos::SyscallFrame* f) {
    using namespace libos;
    const uint64_t nr = f->rax;
    f->rcx = f->rip;
    f->r11 = f->rflags;
    if ((boot->flags & SKIFF_BOOT_SECCOMP) && seccomp_blocks(*f, nr)) {
        if (boot->pending_signals) take_external_signals(*f);
        return full_resume_requested();
    }
    if (nr < kMaxSyscall && table[nr]) {
        int64_t r = table[nr](*f);
        // A signal for the app broke a blocking host call: Linux restarts the syscall when the
        // signal is ignored or its handler has SA_RESTART (sleeps retry themselves, time.cpp).
        while (r == -EINTR && boot->pending_signals && nr != __NR_nanosleep && nr != __NR_clock_nanosleep) {
            const Interrupt what = interrupted_syscall_action();
            if (what == Interrupt::none) {
                r = table[nr](*f);
                continue;
            }
            if (what == Interrupt::restart) { // back to the `syscall` instruction after the handler
                f->rip -= 2;
                r = static_cast<int64_t>(nr);
            }
            break;
        }
        f->rax = static_cast<uint64_t>(r);
        if (boot->pending_signals) take_external_signals(*f);
        return full_resume_requested();
    }
    if (nr < kMaxSyscall && !reported[nr]) {
        reported[nr] = true;
        char line[96];
        size_t pos = append_str(line, 0, sizeof line, "unimplemented syscall ");
        pos = append_str(line, pos, sizeof line, syscall_name(nr));
        pos = append_str(line, pos, sizeof line, " (");
        pos = append_num(line, pos, sizeof line, static_cast<int64_t>(nr));
        append_str(line, pos, sizeof line, "): ENOSYS");
        log(line);
    } else if (nr >= kMaxSyscall) {
        log("unknown syscall number ", "", static_cast<int64_t>(nr));
    }
    f->rax = static_cast<uint64_t>(-ENOSYS);
    if (boot->pending_signals) take_external_signals(*f);
    return full_resume_requested();
}

// The VMM diverted the app from its code to deliver a signal (arch/entry.S libos_signal_entry).
extern "C" void libos_async_signal(libos::SyscallFrame* f) {
    using namespace libos;
    const auto& r = boot->interrupted;
    f->rax = r.rax, f->rdi = r.rdi, f->rsi = r.rsi, f->rdx = r.rdx, f->r10 = r.r10;
    f->r8 = r.r8, f->r9 = r.r9, f->rip = r.rip, f->rsp = r.rsp, f->rflags = r.rflags;
    f->rbx = r.rbx, f->rbp = r.rbp, f->r12 = r.r12, f->r13 = r.r13, f->r14 = r.r14;
    f->r15 = r.r15, f->rcx = r.rcx, f->r11 = r.r11;
    if (boot->fault_signal) take_fault(*f);
    take_external_signals(*f);
    full_resume_requested(); // always a full resume here
}
