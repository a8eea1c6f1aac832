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

extern "C" void libos_syscall(libos::SyscallFrame* f) {
    using namespace libos;
    const uint64_t nr = f->rax;
    if (nr < kMaxSyscall && table[nr]) {
        f->rax = static_cast<uint64_t>(table[nr](*f));
        return;
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
}
