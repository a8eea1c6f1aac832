#include "seccomp.hpp"

#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/futex.h>
#include <termios.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>

#include "kvm/kvm.hpp"

namespace skiff::vmm {

Result<FilterPtr> build_vmm_filter() {
    FilterPtr ctx(seccomp_init(SCMP_ACT_KILL_PROCESS), seccomp_release);
    if (!ctx) return Error{"seccomp_init failed"};
    auto allow = [&](int nr, std::initializer_list<scmp_arg_cmp> args = {}) -> bool {
        return seccomp_rule_add_array(ctx.get(), SCMP_ACT_ALLOW, nr, static_cast<unsigned>(args.size()),
                                      args.size() ? args.begin() : nullptr) == 0;
    };
    // The filter is fixed (compiled to BPF at build time), so ioctls are limited by command, not
    // by fd: these four are meaningful only on the vCPU fd anyway.
    bool good =
        allow(SCMP_SYS(ioctl), {SCMP_A1(SCMP_CMP_EQ, KVM_RUN)}) &&       // the run loop
        allow(SCMP_SYS(ioctl), {SCMP_A1(SCMP_CMP_EQ, KVM_GET_REGS)}) &&  // fault reports
        allow(SCMP_SYS(ioctl), {SCMP_A1(SCMP_CMP_EQ, KVM_GET_SREGS)}) && // fault address (CR2)
        allow(SCMP_SYS(ioctl), {SCMP_A1(SCMP_CMP_EQ, KVM_SET_MSRS)}) &&  // FS base (arch_prctl)
        allow(SCMP_SYS(ioctl), {SCMP_A1(SCMP_CMP_EQ, KVM_SET_REGS)}) &&  // divert the app to a signal
        // Terminal queries the guest forwards (hypercalls/stdio.cpp), read-only ones only.
        allow(SCMP_SYS(ioctl), {SCMP_A1(SCMP_CMP_EQ, TCGETS)}) &&
        allow(SCMP_SYS(ioctl), {SCMP_A1(SCMP_CMP_EQ, TIOCGWINSZ)}) &&
        allow(SCMP_SYS(read)) &&        // stdin and pipes
        allow(SCMP_SYS(write)) &&       // stdout, stderr, files, the debug log
        allow(SCMP_SYS(pread64)) &&     // file reads into guest pages
        allow(SCMP_SYS(pwrite64)) &&    // file writes from guest pages
        allow(SCMP_SYS(openat2)) &&     // rootfs files, always RESOLVE_IN_ROOT (hypercalls/files.cpp)
        allow(SCMP_SYS(close)) &&       // guest closes a handle
        allow(SCMP_SYS(fstat)) &&       // stat of an open handle
        allow(SCMP_SYS(newfstatat)) &&  // glibc's fstat
        allow(SCMP_SYS(getdents64)) &&  // directory listings
        allow(SCMP_SYS(lseek)) &&       // rewinding a directory
        allow(SCMP_SYS(readlinkat)) &&  // readlink on an O_PATH fd
        allow(SCMP_SYS(clock_gettime)) &&   // guest clocks
        allow(SCMP_SYS(clock_nanosleep)) && // guest sleeps
        allow(SCMP_SYS(getrandom)) &&   // guest randomness
        allow(SCMP_SYS(madvise), {SCMP_A2(SCMP_CMP_EQ, MADV_DONTNEED)}) && // guest frees pages
        allow(SCMP_SYS(brk)) &&         // the VMM's own malloc (messages)
        allow(SCMP_SYS(mmap), {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)}) && // malloc, never code
        allow(SCMP_SYS(munmap)) &&      // free
        allow(SCMP_SYS(rt_sigreturn)) && // returning from a signal handler
        // libstdc++'s one-time initialisations (locale, on the first error message) wake waiters.
        allow(SCMP_SYS(futex), {SCMP_A1(SCMP_CMP_MASKED_EQ, ~0x80u, 1 /* FUTEX_WAKE */)}) &&
        // --memory-report after the run: the VMM's peak RSS and which guest pages are resident.
        allow(SCMP_SYS(getrusage), {SCMP_A0(SCMP_CMP_EQ, 0 /* RUSAGE_SELF */)}) &&
        allow(SCMP_SYS(mincore)) &&
        allow(SCMP_SYS(exit_group));    // the end
    if (!good) return Error{"seccomp_rule_add failed"};
    return ctx;
}

Result<void> load_vmm_filter(const void* bpf, size_t len) {
    if (len == 0 || len % sizeof(sock_filter) || len / sizeof(sock_filter) > 0xffff)
        return Error{"embedded seccomp filter has a bad size"};
    sock_fprog prog{static_cast<unsigned short>(len / sizeof(sock_filter)),
                    static_cast<sock_filter*>(const_cast<void*>(bpf))};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno_error("prctl PR_SET_NO_NEW_PRIVS");
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) return errno_error("seccomp load");
    return ok();
}

} // namespace skiff::vmm
